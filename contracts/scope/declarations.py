"""Check one usage declaration against the grant in force (default deny)."""

import datetime

from django.db.models import Sum
from django.utils import timezone

from contracts.codes import ViolationKind as V
from contracts.codes import purpose_covered
from contracts.models import DataUsePermission, UsageDeclaration
from contracts.scope.agreement_status import active_throughout, statuses_during
from contracts.scope.findings import Finding, attach_accountability, last_local_day, local_day_end, local_day_start
from contracts.scope.periods import bucket_end, bucket_label, bucket_start, buckets_spanned
from contracts.selectors.grants import permission_version_at


def version_in_force(permission, at):
    """The version in force at ``at``; before the grant was recorded, its first version
    (grants are often recorded after their validity began; valid_from decides)."""
    version = permission_version_at(permission, at)
    if version is None:
        first = permission.versions.order_by("number").first()
        if first is not None and at < first.effective_from:
            return first
    return version

RULES = {
    V.DATASET_NOT_PERMITTED: "The agreement has a grant for the dataset.",
    V.ACTION_NOT_PERMITTED: "Every declared action is among the granted actions.",
    V.PURPOSE_NOT_PERMITTED: "The purpose, or a parent of it, is granted.",
    V.RECIPIENT_NOT_APPROVED: "Every onward recipient is among the grant's recipients.",
    V.OUTSIDE_VALIDITY: "The period lies within the grant's validity.",
    V.PERMISSION_INACTIVE: "The grant was active (not suspended or revoked).",
    V.AGREEMENT_INACTIVE: "The agreement was active throughout the period.",
    V.QUOTA_EXCEEDED: "Declared records in a quota interval stay within the quota.",
}


def _iso(value):
    return value.isoformat() if value is not None else None


def check_declaration(declaration: UsageDeclaration) -> list[Finding]:
    """Every rule the declaration breaks, one finding per kind, with evidence."""
    agreement = declaration.agreement
    period = f"{declaration.period_start.isoformat()}/{declaration.period_end.isoformat()}"
    start = local_day_start(declaration.period_start)
    end = local_day_start(declaration.period_end + datetime.timedelta(days=1))
    # The terms in force at the end of the period, or when it was declared if that came first.
    at = min(local_day_end(declaration.period_end), declaration.submitted_at)
    base = dict(agreement_id=agreement.pk, dataset_id=declaration.dataset_id, interval=period)
    evidence = {"declaration_ids": [declaration.pk], "period": period}
    findings: list[Finding] = []

    def add(kind, allowed, observed, more_evidence=None, **extra):
        findings.append(
            Finding(
                kind=kind, rule=RULES[kind], allowed=allowed, observed=observed,
                evidence=evidence | (more_evidence or {}), **base, **extra,
            )  # fmt: skip
        )

    if not active_throughout(agreement, start, end):
        # What happened during the period, not today's status (it may be active again by now); the
        # term too, as use outside it is inactive whatever the status.
        term = f"{agreement.starts_on.isoformat()}/{agreement.ends_on.isoformat()}"
        add(V.AGREEMENT_INACTIVE, "active", statuses_during(agreement, start, end), {"agreement_term": term})

    permission = DataUsePermission.objects.filter(agreement=agreement, dataset_id=declaration.dataset_id).first()
    if permission is None:
        add(V.DATASET_NOT_PERMITTED, [], declaration.dataset.code)
        attach_accountability(findings, agreement=agreement, personal_info=declaration.dataset.personal_info, at=at)
        return findings

    version = version_in_force(permission, at)
    base.update(permission_id=permission.pk)
    if version is None:  # no version at all (should not happen: a grant always has one)
        add(V.OUTSIDE_VALIDITY, {"valid_from": _iso(permission.valid_from)}, {"period": period})
        attach_accountability(findings, agreement=agreement, personal_info=declaration.dataset.personal_info, at=at)
        return findings
    base.update(permission_version=version.number)

    # Declarations are in whole days: compare days, as a grant valid from 09:30 covers that day.
    first_day = timezone.localdate(version.valid_from)
    last_day = last_local_day(version.valid_until) if version.valid_until is not None else None
    if declaration.period_start < first_day or (last_day is not None and declaration.period_end > last_day):
        add(
            V.OUTSIDE_VALIDITY,
            {"valid_from": _iso(version.valid_from), "valid_until": _iso(version.valid_until)},
            {"period": period},
        )
    if version.status != "active":
        add(V.PERMISSION_INACTIVE, "active", version.status)
    extra_actions = sorted(set(declaration.actions) - set(version.actions))
    if extra_actions:
        add(V.ACTION_NOT_PERMITTED, version.actions, extra_actions)
    if not purpose_covered(declaration.purpose, version.purposes):
        add(V.PURPOSE_NOT_PERMITTED, version.purposes, declaration.purpose)
    recipients = sorted(declaration.recipients.values_list("pk", flat=True))
    unapproved = sorted(set(recipients) - set(version.recipient_ids))
    if unapproved:
        add(V.RECIPIENT_NOT_APPROVED, version.recipient_ids, unapproved)
    quota = _quota_finding(declaration, version)
    if quota is not None:
        allowed, observed, ids, label = quota
        findings.append(
            Finding(
                kind=V.QUOTA_EXCEEDED,
                rule=RULES[V.QUOTA_EXCEEDED],
                allowed=allowed,
                observed=observed,
                evidence={"declaration_ids": ids, "quota_interval": label, "quota_unit": version.quota_unit},
                **(base | {"interval": label}),
            )
        )
    attach_accountability(findings, agreement=agreement, personal_info=declaration.dataset.personal_info, at=at)
    return findings


def _quota_finding(declaration, version):
    """Declared records in the quota bucket(s) the period falls in, all live declarations counted."""
    if version.quota_count is None or version.quota_unit != "records":
        return None  # a request quota is checked against observed events only
    interval = version.quota_interval
    first = bucket_start(declaration.period_start, interval)
    last = bucket_start(declaration.period_end, interval)
    live = UsageDeclaration.objects.filter(
        agreement_id=declaration.agreement_id, dataset_id=declaration.dataset_id, superseded_by__isnull=True
    )
    if interval != "total":
        live = live.filter(period_start__gte=first, period_start__lt=bucket_end(last, interval))
    declared = live.aggregate(total=Sum("record_count"))["total"] or 0
    allowed = version.quota_count * buckets_spanned(declaration.period_start, declaration.period_end, interval)
    if declared <= allowed:
        return None
    ids = sorted(live.values_list("pk", flat=True))
    return allowed, declared, ids, bucket_label(first, interval)
