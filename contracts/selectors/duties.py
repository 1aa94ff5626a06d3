"""Declaration duties: which declarations a grant's schedule asks for, and how each was met.

A grant with a monthly (quarterly, yearly) schedule asks for one declaration per
calendar month (quarter, year) of its validity, due ``declaration_due_days``
after the period ends. The scope check reads the ``missing`` ones; partners and
officers list them all.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from contracts.models import Agreement, DataUsePermission, UsageDeclaration

DUE = "due"
RECEIVED = "received"
LATE = "late"
MISSING = "missing"
DUTY_STATUSES = (DUE, RECEIVED, LATE, MISSING)

# Months per period for each schedule; "none" asks for nothing.
_MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Duty:
    permission_id: int
    dataset_id: int
    dataset_code: str
    period_start: datetime.date
    period_end: datetime.date
    due_on: datetime.date
    status: str
    declaration_ids: tuple[int, ...]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def calendar_periods(schedule: str, first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """Calendar periods of ``schedule`` that overlap the days [first, last]."""
    months = _MONTHS_PER_PERIOD.get(schedule)
    if months is None or last < first:
        return []
    # Quarters and years start on calendar boundaries (Jan/Apr/Jul/Oct, Jan).
    month0 = (first.month - 1) // months * months + 1
    start = datetime.date(first.year, month0, 1)
    periods = []
    while start <= last:
        following = _add_months(start, months)
        periods.append((start, following - datetime.timedelta(days=1)))
        start = following
    return periods


def _validity_days(permission: DataUsePermission, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last local day on which the grant could be used, never past today.

    ``valid_until`` is exclusive, and a revoked grant allows nothing from its revocation on
    (revoked at midnight, the day that begins is not one of its days).
    """
    first = timezone.localdate(permission.valid_from)
    last = today
    just_before = datetime.timedelta(microseconds=1)
    if permission.valid_until is not None:
        last = min(last, timezone.localdate(permission.valid_until - just_before))
    if permission.status == "revoked" and permission.status_changed_at is not None:
        last = min(last, timezone.localdate(permission.status_changed_at - just_before))
    return first, last


def _counting_declarations(agreement: Agreement) -> QuerySet:
    """Declarations that stand: a superseded one was replaced by its correction."""
    return (
        UsageDeclaration.objects.filter(agreement=agreement, superseded_by__isnull=True)
        .order_by("submitted_at", "id")
        .values_list("id", "dataset_id", "period_start", "period_end", "submitted_at")
    )


def declaration_duties(*, agreement: Agreement, today: datetime.date) -> list[Duty]:
    """Every declaration duty of ``agreement`` up to ``today``, by dataset code then period.

    A declaration counts for a duty when it names the same agreement and dataset,
    its period overlaps the duty's period, and it is not superseded. A duty is
    ``received`` (or ``late``, when the earliest counting declaration came after
    ``due_on``); with none it is ``due`` until ``due_on`` and ``missing`` after.
    """
    permissions = list(
        DataUsePermission.objects.filter(agreement=agreement)
        .exclude(declaration_schedule="none")
        .select_related("dataset")
        .order_by("dataset__code", "id")
    )
    if not permissions:
        return []
    by_dataset: dict[int, list[tuple]] = {}
    for row in _counting_declarations(agreement):
        by_dataset.setdefault(row[1], []).append(row)

    duties = []
    for permission in permissions:
        first, last = _validity_days(permission, today)
        declared = by_dataset.get(permission.dataset_id, [])
        for period_start, period_end in calendar_periods(permission.declaration_schedule, first, last):
            due_on = period_end + datetime.timedelta(days=permission.declaration_due_days)
            # Rows are ordered by submission, so the first match is the earliest.
            matches = [row for row in declared if row[2] <= period_end and row[3] >= period_start]
            if matches:
                submitted_on = timezone.localdate(matches[0][4])
                status = LATE if submitted_on > due_on else RECEIVED
            else:
                status = MISSING if today > due_on else DUE
            duties.append(
                Duty(
                    permission_id=permission.pk,
                    dataset_id=permission.dataset_id,
                    dataset_code=permission.dataset.code,
                    period_start=period_start,
                    period_end=period_end,
                    due_on=due_on,
                    status=status,
                    declaration_ids=tuple(row[0] for row in matches),
                )
            )
    return duties
