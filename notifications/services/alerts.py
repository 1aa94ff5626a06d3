"""Raising alerts and moving them through their lifecycle (DESIGN section 5)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Agreement, Dataset
from contracts.scope.findings import Finding
from notifications.codes import LIVE_ALERT_STATUSES
from notifications.models import Alert, AlertEvent
from notifications.services.notify import notify
from notifications.services.routing import recipients_for
from notifications.services.severity import severity_for
from notifications.services.silences import active_silence_for
from partnerships.actors import Actor
from partnerships.audit import audit_record, audit_record_after_commit
from partnerships.codes import Role
from partnerships.errors import ConflictError

SUMMARIES = {
    "dataset_not_permitted": "Use of {dataset} without any grant under {agreement}",
    "action_not_permitted": "Action not granted on {dataset} under {agreement}",
    "purpose_not_permitted": "Purpose not granted for {dataset} under {agreement}",
    "recipient_not_approved": "Data of {dataset} passed to an unapproved recipient under {agreement}",
    "outside_validity": "Use of {dataset} outside the grant's validity under {agreement}",
    "permission_inactive": "Use of {dataset} while the grant was suspended or revoked under {agreement}",
    "agreement_inactive": "Use of {dataset} while {agreement} was not active",
    "quota_exceeded": "Quota exceeded for {dataset} under {agreement}",
    "declaration_missing": "Declaration missing for {dataset} under {agreement}",
    "undeclared_usage": "Observed use of {dataset} above what was declared under {agreement}",
}


def _parse_at(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value) if value else timezone.now()


@transaction.atomic
def alert_raise(
    *,
    kind: str,
    dedup_key: str,
    summary: str,
    at: datetime.datetime | None = None,
    seen_on: datetime.date | None = None,
    **fields,
) -> tuple[Alert, bool]:
    """Open an alert for ``dedup_key``, or count a repeat on the one already live. Returns (alert, created).

    ``seen_on`` is for daily observations (expiry, declaration duties): their job may run twice in a
    day (a redelivered message, a second beat), so a repeat counts only when the live alert was last
    seen on an earlier local day.
    """
    now = timezone.now()
    live = Alert.objects.select_for_update().filter(dedup_key=dedup_key, status__in=LIVE_ALERT_STATUSES).first()
    if live is None:
        try:
            with transaction.atomic():  # a savepoint: losing the race to the unique index is not an error
                alert = Alert.objects.create(
                    kind=kind, dedup_key=dedup_key, summary=summary[:500], first_seen=now, last_seen=now, **fields
                )
        except IntegrityError:
            live = Alert.objects.select_for_update().get(dedup_key=dedup_key, status__in=LIVE_ALERT_STATUSES)
        else:
            _on_raised(alert, at or now)
            # Raised by the system, often many in one scan: recorded after the scan commits.
            # (A repeat on the live alert only counts occurrences, and is not a new entry.)
            audit_record_after_commit(
                actor=None,
                action="alert.raise",
                obj=alert,
                after={
                    "kind": kind,
                    "dedup_key": dedup_key,
                    "severity": alert.severity,
                    "agreement": alert.agreement_id,
                    "dataset": alert.dataset_id,
                    "permission": alert.permission_id,
                    "accountable_party": alert.accountable_party_id,
                    "area": alert.area,
                    "silenced_by": alert.silenced_by_id,
                    "summary": alert.summary,
                },
                organization=alert.government_id,
            )
            return alert, True
    if seen_on is not None and timezone.localdate(live.last_seen) >= seen_on:
        return live, False  # already counted for that day
    Alert.objects.filter(pk=live.pk).update(
        occurrences=F("occurrences") + 1,
        last_seen=now,
        evidence=fields.get("evidence", live.evidence),
        observed=fields.get("observed", live.observed),
    )
    live.refresh_from_db()
    return live, False


def _on_raised(alert: Alert, at: datetime.datetime) -> None:
    AlertEvent.objects.create(alert=alert, action="raised", to_status="open", at=alert.first_seen)
    silence = active_silence_for(alert, alert.first_seen)
    if silence is not None:
        alert.silenced_by = silence
        alert.save(update_fields=["silenced_by"])
        AlertEvent.objects.create(alert=alert, action="silenced", comment=f"silence {silence.pk}: {silence.reason}")
        return
    notify(alert=alert, user_ids=recipients_for(alert, at), reason="raised")
    Alert.objects.filter(pk=alert.pk).update(last_notified_at=timezone.now())


def alert_raise_finding(finding: Finding, *, seen_on: datetime.date | None = None) -> tuple[Alert, bool]:
    """One finding of the scope check -> its alert (and a responsibility-gap alert per area with nobody accountable).

    ``seen_on``: the day of a daily check (see alert_raise); None for findings counted once each.
    """
    agreement = Agreement.objects.select_related("government", "partner").get(pk=finding.agreement_id)
    dataset = Dataset.objects.filter(pk=finding.dataset_id).first() if finding.dataset_id else None
    at = _parse_at(finding.at)
    summary = SUMMARIES.get(finding.kind, "{kind} under {agreement}").format(
        dataset=dataset.code if dataset else "?", agreement=agreement.reference, kind=finding.kind
    )
    alert = alert_raise(
        kind=finding.kind,
        dedup_key=finding.dedup_key,
        summary=summary,
        at=at,
        severity=severity_for(
            finding.kind, grade=dataset.grade if dataset else None, personal_info=dataset.personal_info if dataset else None
        ),
        agreement=agreement,
        permission_id=finding.permission_id,
        permission_version=finding.permission_version,
        dataset=dataset,
        government_id=agreement.government_id,
        partner_id=agreement.partner_id,
        accountable_party_id=finding.accountable_party_id,
        area=finding.area,
        interval=finding.interval,
        rule=finding.rule,
        allowed=finding.allowed,
        observed=finding.observed,
        evidence=finding.evidence,
        seen_on=seen_on,
    )
    for area in finding.gap_areas:
        responsibility_gap_raise(agreement=agreement, area=area, at=at, because=finding.dedup_key, seen_on=seen_on)
    return alert


def responsibility_gap_raise(
    *, agreement: Agreement, area: str, at, because: str = "", seen_on: datetime.date | None = None
) -> tuple[Alert, bool]:
    return alert_raise(
        kind="responsibility_gap",
        dedup_key=f"responsibility_gap:a{agreement.pk}:{area}",
        summary=f"No accountable party for {area} under {agreement.reference}",
        at=at,
        severity=severity_for("responsibility_gap"),
        agreement=agreement,
        government_id=agreement.government_id,
        partner_id=agreement.partner_id,
        accountable_party_id=agreement.partner_id,
        area=area,
        rule="An active agreement has an accountable party for every area an alert touches.",
        allowed={"area": area, "raci": "A"},
        observed=None,
        evidence={"area": area, "found_while_routing": because},
        seen_on=seen_on,
    )


# --- lifecycle -----------------------------------------------------------------------------


def _is_supervisor_of(actor: Actor, alert: Alert) -> bool:
    if actor.is_admin:
        return True
    region = alert.government.region_code if alert.government_id else None
    return region is not None and any(region.startswith(p) for p in actor.regions(Role.SUPERVISOR))


def _may_answer(actor: Actor, alert: Alert) -> bool:
    """Supervisors, the government party's officers and the parties the alert is about may acknowledge."""
    if _is_supervisor_of(actor, alert):
        return True
    if alert.government_id in actor.org_ids(Role.OFFICER):
        return True
    parties = {alert.partner_id, alert.accountable_party_id} - {None}
    return bool(parties & actor.org_ids(Role.PARTNER, Role.OFFICER)) or alert.owner_id == getattr(actor.user, "pk", None)


def may_answer(actor: Actor, alert: Alert) -> bool:
    """Whether ``alert_acknowledge`` would let this person act (pages offer the form only then)."""
    return _may_answer(actor, alert)


def _transition(*, actor: Actor | None, alert: Alert, action: str, sources: tuple, target: str, comment: str) -> Alert:
    """Move an alert to ``target``, recorded with who did it (None: the system itself)."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("government").get(pk=alert.pk)
    if alert.status not in sources:
        raise ConflictError(
            _("An alert that is %(status)s cannot be %(target)s.") % {"status": alert.status, "target": target},
            code="illegal_transition",
        )
    AlertEvent.objects.create(
        alert=alert, action=action, from_status=alert.status, to_status=target, actor=actor.user if actor else None,
        comment=comment,
    )
    before = {"status": alert.status}
    alert.status = target
    alert.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=f"alert.{action}",
        obj=alert,
        before=before,
        after={"status": target, "comment": comment},
        organization=alert.government_id,
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert, comment: str = "") -> Alert:
    if not _may_answer(actor, alert):
        raise PermissionDenied(_("You may read this alert but not answer it."))
    return _transition(actor=actor, alert=alert, action="acknowledged", sources=("open",), target="acknowledged", comment=comment.strip())


@transaction.atomic
def alert_resolve(*, actor: Actor, alert: Alert, comment: str) -> Alert:
    if not _is_supervisor_of(actor, alert):
        raise PermissionDenied(_("Only a supervisor of the jurisdiction may resolve an alert."))
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("Say how it was resolved.")})
    return _transition(
        actor=actor, alert=alert, action="resolved", sources=LIVE_ALERT_STATUSES, target="resolved", comment=comment.strip()
    )


@transaction.atomic
def alert_resolve_by_system(*, alert: Alert, comment: str) -> Alert:
    """Resolve an alert whose cause the system itself saw end (a disabled channel turned back on)."""
    return _transition(
        actor=None, alert=alert, action="resolved", sources=LIVE_ALERT_STATUSES, target="resolved", comment=comment
    )


@transaction.atomic
def alert_dismiss(*, actor: Actor, alert: Alert, reason: str) -> Alert:
    if not _is_supervisor_of(actor, alert):
        raise PermissionDenied(_("Only a supervisor of the jurisdiction may dismiss an alert."))
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("A reason is required to dismiss an alert.")})
    return _transition(
        actor=actor, alert=alert, action="dismissed", sources=LIVE_ALERT_STATUSES, target="dismissed", comment=reason.strip()
    )
