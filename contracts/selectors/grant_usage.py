"""Use of one grant per quota interval: declared (by the partner) and observed (events).

Both are aggregated in the database (GROUP BY a truncated date); the chart on the
grant page shows them against the quota. Only the latest declaration of a chain
counts, since a correction supersedes what it corrects.
"""

import datetime

from django.db.models import Count, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from contracts.models import DataUsePermission, UsageDeclaration, UsageEvent

# How many intervals the chart shows, ending with the current one.
BUCKETS = {"day": 14, "week": 12, "month": 12, "year": 5}


def _bucket_start(day: datetime.date, kind: str) -> datetime.date:
    if kind == "day":
        return day
    if kind == "week":
        return day - datetime.timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _previous(start: datetime.date, kind: str) -> datetime.date:
    return _bucket_start(start - datetime.timedelta(days=1), kind)


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def grant_usage(permission: DataUsePermission, *, today: datetime.date | None = None) -> list[dict]:
    """[{start, declared, observed}] oldest first; one row in total for a ``total`` quota."""
    today = today or timezone.localdate()
    events = UsageEvent.objects.filter(agreement_id=permission.agreement_id, dataset_id=permission.dataset_id)
    declarations = UsageDeclaration.objects.filter(
        agreement_id=permission.agreement_id, dataset_id=permission.dataset_id, superseded_by__isnull=True
    )
    observed_value = Count("id") if permission.quota_unit == "requests" else Sum("record_count")
    kind = permission.quota_interval
    if kind not in BUCKETS:  # "total": everything since the grant began
        start = timezone.localtime(permission.valid_from).date()
        return [
            {
                "start": start,
                "declared": declarations.aggregate(n=Sum("record_count"))["n"] or 0,
                "observed": events.aggregate(n=observed_value)["n"] or 0,
            }
        ]
    starts = [_bucket_start(today, kind)]
    for _ in range(BUCKETS[kind] - 1):
        starts.append(_previous(starts[-1], kind))
    starts.reverse()
    first = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time.min))
    observed = {
        _as_date(row["bucket"]): row["n"]
        for row in events.filter(occurred_at__gte=first)
        .annotate(bucket=Trunc("occurred_at", kind))
        .values("bucket")
        .annotate(n=observed_value)
    }
    declared = {
        _as_date(row["bucket"]): row["n"]
        for row in declarations.filter(period_start__gte=starts[0])
        .annotate(bucket=Trunc("period_start", kind))
        .values("bucket")
        .annotate(n=Sum("record_count"))
    }
    return [{"start": s, "declared": declared.get(s, 0) or 0, "observed": observed.get(s, 0) or 0} for s in starts]
