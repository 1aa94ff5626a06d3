"""Which grant version the events that broke a rule were under, in buckets a grant change splits.

A bucket's running totals keep one grant version: the newest counted in it, whose quota applies.
When the grant changed during the bucket's interval, a rule may have been broken only under an
older version (an action granted later in the month) or only under a newer one (a suspension
lifted again): the finding must quote the version the events broke, not the newest. Only those
few buckets' new events are read again, in one query, and each rule is checked against the
version in force when each event occurred, as the scan's SQL does (events_sql).
"""

import datetime
import functools
import operator

from django.db import connection
from django.db.models import Q

from contracts.codes import purpose_covered
from contracts.models import UsageEvent
from contracts.scope.findings import local_day_start
from contracts.scope.periods import as_date, bucket_end

# The rules whose findings name a grant version (dataset_not_permitted has none; the agreement's
# status does not depend on the grant).
VERSION_RULES = ("action_bad", "purpose_bad", "recipient_bad", "validity_bad", "inactive_bad")
EVENT_COLUMNS = ("agreement_id", "dataset_id", "occurred_at", "action", "purpose", "recipient_id")
EVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)
NEVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _in_force_from(version: dict) -> datetime.datetime:
    # Before a grant was recorded its first version applies (its valid_from decides), as in the scan.
    return EVER if version["number"] == 1 else version["effective_from"]


def _in_force_until(version: dict) -> datetime.datetime:
    return version["effective_to"] or NEVER


def _breaks(rule: str, version: dict, event: dict) -> bool:
    if rule == "action_bad":
        return event["action"] not in version["actions"]
    if rule == "purpose_bad":
        return not purpose_covered(event["purpose"], version["purposes"])
    if rule == "recipient_bad":
        return event["recipient_id"] is not None and event["recipient_id"] not in version["recipient_ids"]
    if rule == "validity_bad":
        until = version["valid_until"]
        return event["occurred_at"] < version["valid_from"] or (until is not None and event["occurred_at"] >= until)
    return version["status"] != "active"  # inactive_bad


def _new_events_in(split: dict, *, after: int, upto: int) -> list[dict]:
    """The new events of the split buckets, in one statement however many buckets there are."""
    buckets = [(a, d, lo, hi) for (a, d), spans in split.items() for lo, hi, _, _ in spans]
    if connection.vendor != "postgresql":
        where = functools.reduce(
            operator.or_, (Q(agreement_id=a, dataset_id=d, occurred_at__gte=lo, occurred_at__lt=hi) for a, d, lo, hi in buckets)
        )
        return list(UsageEvent.objects.filter(where, pk__gt=after, pk__lte=upto).values(*EVENT_COLUMNS))
    # The buckets as four arrays (an ORM filter per bucket cost 80 ms to build for 140 buckets), each
    # bucket read on its own through the (agreement, dataset, time) index: a few dozen events each,
    # where joining them to the new events read every new event (30 ms for 50,000).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT e.*
                FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS b(agreement_id, dataset_id, lo, hi)
                CROSS JOIN LATERAL (
                    SELECT {", ".join("e." + c for c in EVENT_COLUMNS)} FROM contracts_usageevent e
                    WHERE e.agreement_id = b.agreement_id AND e.dataset_id = b.dataset_id
                      AND e.occurred_at >= b.lo AND e.occurred_at < b.hi AND e.id > %s AND e.id <= %s
                    OFFSET 0  -- kept a subquery, else the planner joins it to every new event instead
                ) e""",
            [list(column) for column in zip(*buckets)] + [after, upto],
        )
        return [dict(zip(EVENT_COLUMNS, row)) for row in cursor.fetchall()]


def _bounds(row) -> tuple[datetime.datetime, datetime.datetime]:
    start = as_date(row["bucket_start"])
    end = bucket_end(start, row["interval"])
    if end is None:  # "total": the grant's whole life
        return EVER, NEVER
    return local_day_start(start), local_day_start(end)


def versions_broken(rows: list[dict], versions: dict, *, after: int, upto: int) -> dict:
    """(permission, interval, bucket start) -> {rule: the newest version its new bad events broke}.

    ``versions``: (permission, number) -> that version's terms, for the rows' permissions. Only
    buckets in which more than one version was in force, with a version rule broken, are listed.
    """
    by_permission: dict[int, list[dict]] = {}
    for (permission_id, _), version in versions.items():
        by_permission.setdefault(permission_id, []).append(version)
    split: dict[tuple, list] = {}  # (agreement, dataset) -> [(from, until, row, versions in force then)]
    for row in rows:
        if len(by_permission.get(row["permission_id"], ())) < 2 or not any(row[f"n_{rule}"] for rule in VERSION_RULES):
            continue  # most grants never changed: nothing can split their buckets
        lo, hi = _bounds(row)
        spanning = [
            v for v in by_permission.get(row["permission_id"], ()) if _in_force_from(v) < hi and _in_force_until(v) > lo
        ]
        if len(spanning) > 1:
            split.setdefault((row["agreement_id"], row["dataset_id"]), []).append((lo, hi, row, spanning))
    if not split:
        return {}
    events = _new_events_in(split, after=after, upto=upto)
    broken: dict = {}
    for event in events:
        at = event["occurred_at"]
        for lo, hi, row, spanning in split[(event["agreement_id"], event["dataset_id"])]:
            if not lo <= at < hi:
                continue
            version = next((v for v in spanning if _in_force_from(v) <= at < _in_force_until(v)), None)
            if version is None:
                continue
            found = broken.setdefault((row["permission_id"], row["interval"], as_date(row["bucket_start"])), {})
            for rule in VERSION_RULES:
                if row[f"n_{rule}"] and _breaks(rule, version, event):
                    found[rule] = max(found.get(rule, 0), version["number"])
    return broken
