"""Accountability at an instant T: what was agreed, granted, owed and used then.

Everything is read from rows that carry their own time ranges (transitions,
versions, grant versions, assignments), so the answer for a past instant does
not move when later amendments, revocations or reassignments are recorded.

"Around T" for use means the quota interval of the grant containing T, in the
project's time zone: the calendar day, ISO week (Monday first), month or year;
for a quota "in total", the grant's validity from its start up to T; for a
dataset used without a grant, the calendar month containing T. Declarations
count when their period overlaps that interval, they were submitted by T and
not superseded by T. Observed use is reported for the whole interval and for
its part up to T.
"""

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from contracts.codes import Area
from contracts.models import Agreement, AgreementTransition, AgreementVersion, Dataset, UsageDeclaration, UsageEvent
from contracts.selectors.grants import permission_versions_at, responsibilities_at
from partnerships.models import Organization

RACI_SECTIONS = {"A": "accountable", "R": "responsible", "C": "consulted", "I": "informed"}


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _org(org) -> dict | None:
    return None if org is None else {"id": org.pk, "name": org.name, "credit_code": org.credit_code}


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def status_at(agreement: Agreement, at: datetime.datetime) -> dict:
    last = (
        AgreementTransition.objects.filter(agreement=agreement, at__lte=at)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if last is None:
        return {"status": "draft", "since": None, "changed_by": None, "reason": None}
    return {"status": last.to_status, "since": iso(last.at), "changed_by": _username(last.actor), "reason": last.reason}


def version_at(agreement: Agreement, at: datetime.datetime) -> dict:
    """The highest-numbered version effective on T's date (version 1 before any was)."""
    day = timezone.localdate(at)
    versions = AgreementVersion.objects.filter(agreement=agreement).select_related("created_by")
    version = versions.filter(effective_on__lte=day).order_by("-number").first() or versions.order_by("number").first()
    return {
        "number": version.number,
        "effective_on": iso(version.effective_on),
        "rationale": version.rationale,
        "terms": version.terms,
        "changes": version.changes,
        "recorded_at": iso(version.created_at),
        "recorded_by": _username(version.created_by),
    }


def quota_window(version, at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime, str]:
    """The [start, end) interval of ``version``'s quota that contains ``at`` (see the module note)."""
    interval = version.quota_interval if version is not None else "month"
    if interval == "total":
        return version.valid_from, at + datetime.timedelta(microseconds=1), "total"
    local = timezone.localtime(at)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "day":
        start, end = midnight, midnight + datetime.timedelta(days=1)
    elif interval == "week":
        start = midnight - datetime.timedelta(days=local.weekday())
        end = start + datetime.timedelta(days=7)
    elif interval == "year":
        start = midnight.replace(month=1, day=1)
        end = start.replace(year=start.year + 1)
    else:
        start = midnight.replace(day=1)
        end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end, interval  # zoneinfo: wall-clock arithmetic, right across daylight-saving changes


def _in_force(version, at) -> tuple[bool, str]:
    if version.status != "active":
        return False, version.status
    if at < version.valid_from:
        return False, "not yet valid"
    if version.valid_until is not None and at >= version.valid_until:
        return False, "expired"
    return True, ""


def _grant(version, at, orgs) -> dict:
    in_force, why_not = _in_force(version, at)
    return {
        "permission": version.permission_id,
        "dataset": version.permission.dataset.code,
        "dataset_name": version.permission.dataset.name,
        "version": version.number,
        "status": version.status,
        "in_force": in_force,
        "not_in_force_because": why_not or None,
        "change": version.change,
        "reason": version.reason,
        "changed_by": _username(version.changed_by),
        "effective_from": iso(version.effective_from),
        "effective_to": iso(version.effective_to),
        "actions": version.actions,
        "purposes": version.purposes,
        "valid_from": iso(version.valid_from),
        "valid_until": iso(version.valid_until),
        "quota_count": version.quota_count,
        "quota_interval": version.quota_interval,
        "quota_unit": version.quota_unit,
        "recipients": [_org(orgs[pk]) for pk in version.recipient_ids if pk in orgs],
        "declaration_schedule": version.declaration_schedule,
        "anonymize_required": version.anonymize_required,
        "delete_within_days": version.delete_within_days,
    }


def _party(assignment) -> dict:
    return {
        "assignment": assignment.pk,
        "party": _org(assignment.party),
        "raci": assignment.raci,
        "contact": {
            "username": _username(assignment.contact),
            "name": assignment.contact_name,
            "email": assignment.contact_email,
            "phone": assignment.contact_phone,
        },
        "valid_from": iso(assignment.valid_from),
        "valid_to": iso(assignment.valid_to),
    }


def responsibilities_section(agreement: Agreement, at: datetime.datetime) -> list[dict]:
    by_area = {area: {"area": area, **{name: [] for name in RACI_SECTIONS.values()}} for area in Area.values}
    for assignment in responsibilities_at(agreement.pk, at).select_related("party", "contact").order_by("area", "raci", "id"):
        by_area[assignment.area][RACI_SECTIONS[assignment.raci]].append(_party(assignment))
    out = []
    for area in Area.values:
        row = by_area[area]
        accountable = row.pop("accountable")
        out.append({"area": area, "accountable": accountable[0] if accountable else None, **row})
    return out


def _declared(agreement, dataset_id, start, end, at) -> dict:
    last_day = timezone.localdate(end - datetime.timedelta(microseconds=1))
    declarations = (
        UsageDeclaration.objects.filter(
            agreement=agreement,
            dataset_id=dataset_id,
            period_start__lte=last_day,
            period_end__gte=timezone.localdate(start),
            submitted_at__lte=at,
        )
        .exclude(superseded_by__submitted_at__lte=at)
        .select_related("submitted_by")
        .order_by("period_start", "submitted_at", "id")
    )
    rows = [
        {
            "declaration": d.pk,
            "period_start": iso(d.period_start),
            "period_end": iso(d.period_end),
            "purpose": d.purpose,
            "actions": d.actions,
            "record_count": d.record_count,
            "submitted_at": iso(d.submitted_at),
            "submitted_by": _username(d.submitted_by),
        }
        for d in declarations
    ]
    return {"records": sum(r["record_count"] for r in rows), "declarations": rows}


def _observed(agreement, dataset_id, start, end, at) -> dict:
    totals = UsageEvent.objects.filter(
        agreement_id=agreement.pk, dataset_id=dataset_id, occurred_at__gte=start, occurred_at__lt=end
    ).aggregate(
        events=Count("id"),
        records=Sum("record_count"),
        events_by_t=Count("id", filter=Q(occurred_at__lte=at)),
        records_by_t=Sum("record_count", filter=Q(occurred_at__lte=at)),
    )
    return {key: value or 0 for key, value in totals.items()}


def usage_section(agreement: Agreement, at: datetime.datetime, versions) -> list[dict]:
    out = []
    granted = {}
    for version in versions:
        granted[version.permission.dataset_id] = version
    month_start, month_end, _ = quota_window(None, at)
    ungranted = (
        UsageEvent.objects.filter(agreement_id=agreement.pk, occurred_at__gte=month_start, occurred_at__lt=month_end)
        .exclude(dataset_id__in=list(granted))
        .values_list("dataset_id", flat=True)
        .distinct()
    )
    declared_ungranted = (
        UsageDeclaration.objects.filter(
            agreement=agreement,
            submitted_at__lte=at,
            period_start__lte=timezone.localdate(month_end - datetime.timedelta(microseconds=1)),
            period_end__gte=timezone.localdate(month_start),
        )
        .exclude(dataset_id__in=list(granted))
        .values_list("dataset_id", flat=True)
        .distinct()
    )
    codes = dict(Dataset.objects.filter(pk__in={*granted, *ungranted, *declared_ungranted}).values_list("pk", "code"))
    for dataset_id in sorted(codes, key=codes.get):
        version = granted.get(dataset_id)
        start, end, interval = quota_window(version, at)
        out.append(
            {
                "dataset": codes[dataset_id],
                "permission": version.permission_id if version else None,
                "grant_version": version.number if version else None,
                "interval": interval,
                "window_start": iso(start),
                "window_end": iso(end),
                "quota_count": version.quota_count if version else None,
                "quota_unit": version.quota_unit if version else None,
                "declared": _declared(agreement, dataset_id, start, end, at),
                "observed": _observed(agreement, dataset_id, start, end, at),
            }
        )
    return out


def accountability_at(*, agreement: Agreement, at: datetime.datetime) -> dict:
    """The agreement as of ``at``; the caller has already checked the reader may see it."""
    if timezone.is_naive(at):
        raise ValueError("accountability_at needs an aware datetime")
    versions = list(
        permission_versions_at(agreement.pk, at).select_related("permission__dataset", "changed_by").order_by(
            "permission__dataset__code"
        )
    )
    orgs = Organization.objects.in_bulk({pk for v in versions for pk in v.recipient_ids})
    grants = [_grant(v, at, orgs) for v in versions]
    responsibilities = responsibilities_section(agreement, at)
    return {
        "agreement": {
            "id": agreement.pk,
            "reference": agreement.reference,
            "title": agreement.title,
            "model": agreement.model,
            "government": _org(agreement.government),
            "partner": _org(agreement.partner),
        },
        "at": iso(at),
        "status": status_at(agreement, at),
        "version": version_at(agreement, at),
        "grants": [g for g in grants if g["in_force"]],
        "grants_not_in_force": [g for g in grants if not g["in_force"]],
        "responsibilities": responsibilities,
        "areas_without_accountable": [r["area"] for r in responsibilities if r["accountable"] is None],
        "usage": usage_section(agreement, at, versions),
        "alerts": [],  # filled by notifications.accountability, which owns alerts
    }
