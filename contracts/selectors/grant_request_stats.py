"""How well the demand for data is met: measures over the grant requests a person may see.

Requests are counted by when they were received (the period filters
``submitted_at``) and by where they stand now, so for any set of requests
``received = approved_full + approved_narrowed + refused + pending + withdrawn``.

- satisfaction rate: approved (in full or narrowed) / decided (approved + refused);
- full satisfaction rate: approved in full / decided;
- time to decision: ``decided_at - submitted_at`` of approved and refused requests,
  median and 90th percentile by linear interpolation between ranks (PostgreSQL's
  ``percentile_cont``; the same formula in Python on other databases).

Counts are one GROUP BY query; on PostgreSQL the percentiles are a second one.
"""

import datetime
import math

from django.conf import settings
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contracts.codes import RefusalReason
from contracts.models import GrantRequest
from contracts.selectors.agreements import agreement_visibility_q
from partnerships.actors import Actor

GROUP_BY = ("agency", "partner", "month")
COUNTS = ("received", "approved_full", "approved_narrowed", "refused", "pending", "withdrawn")
DECIDED = ("approved", "refused")

_DURATION = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(p) WITHIN GROUP (ORDER BY expr)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), output_field=DurationField(), **extra)


def percentile_cont(values: list, fraction: float):
    """The same interpolation as PostgreSQL's percentile_cont, over a list of numbers or timedeltas."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hours(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _counts():
    out = {
        "received": Count("id"),
        "approved_full": Count("id", filter=Q(status="approved", decision="full")),
        "approved_narrowed": Count("id", filter=Q(status="approved", decision="narrowed")),
        "refused": Count("id", filter=Q(status="refused")),
        "pending": Count("id", filter=Q(status="pending")),
        "withdrawn": Count("id", filter=Q(status="withdrawn")),
    }
    for code in RefusalReason.values:
        out[f"refused__{code}"] = Count("id", filter=Q(status="refused", refusal_reason=code))
    return out


def _group_fields(group_by: str | None) -> tuple[dict, list[str]]:
    """Annotations that make the group key, and the value names to group on."""
    if group_by == "agency":
        return {}, ["agreement__government_id", "agreement__government__name"]
    if group_by == "partner":
        return {}, ["agreement__partner_id", "agreement__partner__name"]
    if group_by == "month":
        return {"month": TruncMonth("submitted_at")}, ["month"]
    return {}, []


def _key(row: dict, group_by: str | None) -> tuple:
    if group_by == "agency":
        return (row["agreement__government_id"], row["agreement__government__name"])
    if group_by == "partner":
        return (row["agreement__partner_id"], row["agreement__partner__name"])
    if group_by == "month":
        return (row["month"].strftime("%Y-%m"), row["month"].strftime("%Y-%m"))
    return (None, None)


def _measures(counts: dict, median, p90) -> dict:
    approved = counts["approved_full"] + counts["approved_narrowed"]
    decided = approved + counts["refused"]
    return {
        **{name: counts[name] for name in COUNTS},
        "decided": decided,
        "satisfaction_rate": _rate(approved, decided),
        "full_satisfaction_rate": _rate(counts["approved_full"], decided),
        "median_hours_to_decision": _hours(median),
        "p90_hours_to_decision": _hours(p90),
        "refused_by_reason": {code: counts[f"refused__{code}"] for code in RefusalReason.values},
    }


def _percentiles(qs: QuerySet, group_by: str | None) -> dict[tuple, tuple]:
    """group key -> (median, p90) of the decision durations."""
    annotations, fields = _group_fields(group_by)
    decided = qs.filter(status__in=DECIDED).annotate(**annotations)
    if settings.DB_VENDOR == "postgresql":
        percentiles = {"median": PercentileCont(_DURATION, 0.5), "p90": PercentileCont(_DURATION, 0.9)}
        if not fields:  # values() without fields would group by every column
            row = decided.aggregate(**percentiles)
            return {(None, None): (row["median"], row["p90"])}
        rows = decided.values(*fields).annotate(**percentiles).order_by()
        return {_key(row, group_by): (row["median"], row["p90"]) for row in rows}
    durations: dict[tuple, list] = {}
    for row in decided.annotate(duration=_DURATION).values(*fields, "duration").order_by():
        durations.setdefault(_key(row, group_by), []).append(row["duration"])
    return {key: (percentile_cont(v, 0.5), percentile_cont(v, 0.9)) for key, v in durations.items()}


def grant_requests_for_stats(
    actor: Actor,
    *,
    agency_id: int | None = None,
    partner_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[GrantRequest]:
    """The requests the measures count: visible to the actor, filtered; the period's ends are included."""
    qs = GrantRequest.objects.filter(agreement_visibility_q(actor, "agreement__"))
    if agency_id is not None:
        qs = qs.filter(agreement__government_id=agency_id)
    if partner_id is not None:
        qs = qs.filter(agreement__partner_id=partner_id)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(submitted_at__gte=datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz))
    if date_to is not None and date_to < datetime.date.max:  # nothing is received after 9999-12-31
        end = date_to + datetime.timedelta(days=1)
        qs = qs.filter(submitted_at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=tz))
    return qs


def grant_request_stats(
    *,
    actor: Actor,
    agency_id: int | None = None,
    partner_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str | None = None,
) -> dict:
    """``{"total": measures, "groups": [{"key", "label", **measures}]}``; groups only with ``group_by``."""
    if group_by is not None and group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    qs = grant_requests_for_stats(
        actor, agency_id=agency_id, partner_id=partner_id, date_from=date_from, date_to=date_to
    )
    total_counts = qs.aggregate(**_counts())
    total_median, total_p90 = _percentiles(qs, None).get((None, None), (None, None))
    result = {"total": _measures(total_counts, total_median, total_p90), "groups": []}
    if group_by is None:
        return result
    annotations, fields = _group_fields(group_by)
    percentiles = _percentiles(qs, group_by)
    rows = qs.annotate(**annotations).values(*fields).annotate(**_counts()).order_by(*fields)
    for row in rows:
        key = _key(row, group_by)
        median, p90 = percentiles.get(key, (None, None))
        result["groups"].append({"key": key[0], "label": key[1], **_measures(row, median, p90)})
    return result


MEASURE_COLUMNS = (
    *COUNTS,
    "decided",
    "satisfaction_rate",
    "full_satisfaction_rate",
    "median_hours_to_decision",
    "p90_hours_to_decision",
)


def stats_table(stats: dict, group_by: str | None) -> list[list]:
    """The measures as table rows (for CSV): a header, one row per group, then the total."""
    header = ["group", "key", "label", *MEASURE_COLUMNS, *(f"refused_{code}" for code in RefusalReason.values)]

    def row(group, key, label, measures):
        values = ["" if measures[name] is None else measures[name] for name in MEASURE_COLUMNS]
        return [group, key, label, *values, *(measures["refused_by_reason"][c] for c in RefusalReason.values)]

    rows = [header]
    for group in stats["groups"]:
        rows.append(row(group_by, group["key"], group["label"], group))
    rows.append(row("total", "", "", stats["total"]))
    return rows
