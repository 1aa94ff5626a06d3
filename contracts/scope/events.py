"""The incremental scan over observed usage events (DESIGN section 4).

Each run counts the events that arrived since the watermark into per-grant quota
buckets (see events_sql), then turns the touched buckets into findings. Call it
inside the transaction that also records the findings' alerts: the watermark only
moves when they are stored too, so a worker killed mid-run loses nothing.
"""

import contextlib
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from contracts.codes import ViolationKind as V
from contracts.models import Dataset, PermissionVersion, ScanWatermark, UsageBucket, UsageEvent
from contracts.scope.events_sql import (
    COUNTERS,
    TEMP_TABLE,
    add_and_report_statement_postgresql,
    add_counts_statement,
    new_counts_statement,
    touched_buckets_statement,
)
from contracts.scope.event_versions import VERSION_RULES, versions_broken
from contracts.scope.findings import AccountableIndex, Finding, attach_accountability, local_day_end
from contracts.scope.periods import as_date, bucket_end, bucket_label

WATERMARK = "usage_events"

# counter -> (kind, rule)
RULE_COUNTERS = {
    "unpermitted": (V.DATASET_NOT_PERMITTED, "Observed use of a dataset the agreement has no grant for."),
    "action_bad": (V.ACTION_NOT_PERMITTED, "Observed actions are among the granted actions."),
    "purpose_bad": (V.PURPOSE_NOT_PERMITTED, "Observed purposes, or a parent of them, are granted."),
    "recipient_bad": (V.RECIPIENT_NOT_APPROVED, "Observed onward recipients are among the grant's recipients."),
    "validity_bad": (V.OUTSIDE_VALIDITY, "Observed use lies within the grant's validity."),
    "inactive_bad": (V.PERMISSION_INACTIVE, "Observed use happened while the grant was active."),
    "agreement_bad": (V.AGREEMENT_INACTIVE, "Observed use happened while the agreement was active."),
}
QUOTA_RULE = "Observed records (or requests) in a quota interval stay within the quota."


def _settled_upto(settle_seconds: int) -> int:
    """The newest event id old enough that no ingest still in flight can commit a lower one.

    Ids come from a sequence in insert order, but commit order may differ; waiting
    ``settle_seconds`` after receipt lets slower ingest transactions commit first.
    """
    qs = UsageEvent.objects.order_by("-pk")
    if settle_seconds:
        qs = qs.filter(received_at__lte=timezone.now() - datetime.timedelta(seconds=settle_seconds))
    return qs.values_list("pk", flat=True).first() or 0


def scan_reset() -> None:
    """Forget all counts: the next scan counts every event again."""
    with transaction.atomic():
        _clear_totals()
        ScanWatermark.objects.filter(name=WATERMARK).delete()


def _clear_totals() -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE, not DELETE: dead index entries would slow the next full count by half.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE contracts_usagebucket")
    else:
        UsageBucket.objects.all().delete()


def scan_events(*, settle_seconds: int | None = None, upto: int | None = None) -> list[Finding]:
    """Count new events and return the findings of the touched buckets. Runs one scan at a time."""
    if settle_seconds is None:
        settle_seconds = settings.SCOPE_SCAN_SETTLE_SECONDS
    with transaction.atomic():
        ScanWatermark.objects.get_or_create(name=WATERMARK)
        # The row lock serialises concurrent scans (two beats, a retried task): each event is counted once.
        watermark = ScanWatermark.objects.select_for_update().get(name=WATERMARK)
        after = watermark.last_event_id
        upto = _settled_upto(settle_seconds) if upto is None else upto
        if upto <= after:
            return []
        if after and not UsageBucket.objects.exists():
            # Totals lost (unlogged: emptied by a crash, absent on a promoted standby). Rebuild them
            # up to the watermark without reporting: those events were reported when they were
            # counted, and reporting them again would raise alerts supervisors have closed.
            _count(0, after, fresh=True)
        elif not after:  # counting from the first event: whatever totals exist are void
            _clear_totals()
        rows = _count(after, upto, fresh=not after)
        watermark.last_event_id = upto
        watermark.save(update_fields=["last_event_id", "updated_at"])
        return findings_from_buckets(rows, after=after, upto=upto)


def _count(after: int, upto: int, *, fresh: bool = False) -> list[dict]:
    params = {"after": after, "upto": upto}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
        if connection.vendor == "postgresql":
            with _plan_settings(cursor, fresh=fresh):
                cursor.execute(new_counts_statement(connection.vendor, fresh=fresh), params)
                cursor.execute(add_and_report_statement_postgresql(fresh=fresh))
                rows = _dicts(cursor)
        else:
            cursor.execute(new_counts_statement(connection.vendor), params)
            cursor.execute(add_counts_statement())
            cursor.execute(touched_buckets_statement())
            rows = _dicts(cursor)
        cursor.execute(f"DROP TABLE {TEMP_TABLE}")
    return rows


@contextlib.contextmanager
def _plan_settings(cursor, *, fresh: bool):
    """Settings for the count, measured with bench/scope.py; the caller's transaction gets its own back."""
    # JIT compiling the count cost 1.2 s of a 4.9 s run (1M events); the aggregation spilled
    # to disk at the default 4 MB work_mem.
    wanted = {"jit": "off", "work_mem": settings.SCOPE_SCAN_WORK_MEM}
    if fresh:
        # The planner cannot know how many buckets the events fall into (a function of each
        # event's time) and assumes one per event, so it sorts every event to group them. On
        # 5M events (424,000 buckets): 10.5 s sorting against 5.0 s hashing in one process,
        # 4.8 s against 3.1 s with two parallel workers. A count from the start reads every
        # event anyway: there is no index order to gain from.
        wanted["enable_sort"] = "off"
    # The report joins the few totals worth reporting to the new counts: hashing those few beats
    # sorting every new count for a merge join, which the planner's row estimates lead it to.
    wanted["enable_mergejoin"] = "off"
    cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in wanted), list(wanted))
    before = dict(zip(wanted, cursor.fetchone()))
    _set_local(cursor, wanted)
    try:
        yield
    finally:
        _set_local(cursor, before)


def _set_local(cursor, values: dict) -> None:
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in values),
        [x for pair in values.items() for x in pair],
    )


def _dicts(cursor) -> list[dict]:
    names = [col[0] for col in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _allowed(counter: str, version) -> object:
    """What the grant version allowed, for the finding's "allowed vs observed"."""
    if version is None:
        return None
    return {
        "action_bad": version["actions"],
        "purpose_bad": version["purposes"],
        "recipient_bad": version["recipient_ids"],
        "validity_bad": {
            "valid_from": version["valid_from"].isoformat(),
            "valid_until": version["valid_until"].isoformat() if version["valid_until"] else None,
        },
        "inactive_bad": "active",
        "agreement_bad": "active",
    }.get(counter)


def _over_quota(row) -> bool:
    if row["quota_count"] is None or not row["n_events"]:
        return False
    used = row["records"] if row["quota_unit"] == "records" else row["events"]
    return used > row["quota_count"]


def _versions(rows) -> dict:
    """Every version of the grants whose findings name one: (grant, number) -> its terms and when it was in force."""
    permissions = {r["permission_id"] for r in rows if r["version_number"] is not None and any(r[f"n_{c}"] for c in VERSION_RULES)}
    if not permissions:
        return {}
    terms = ("number", "effective_from", "effective_to", "status", "actions", "purposes", "recipient_ids", "valid_from", "valid_until")
    qs = PermissionVersion.objects.filter(permission_id__in=permissions).values_list("permission_id", *terms)
    return {(pk, values[0]): dict(zip(terms, values)) for pk, *values in qs}


def _accountable_at(start: datetime.date, interval: str, now: datetime.datetime) -> datetime.datetime:
    """Accountable at the bucket's last instant (or now, for open buckets and "total").

    Not at its end: that is the next bucket's first instant, when someone else may have taken over.
    """
    end = bucket_end(start, interval)
    return min(now, local_day_end(end - datetime.timedelta(days=1))) if end else now


def findings_from_buckets(rows: list[dict], *, after: int, upto: int) -> list[Finding]:
    """Findings of the touched buckets, whose new events are those with ids in (after, upto]."""
    # Plain rows rather than model instances: building hundreds of them cost more than the queries.
    personal_info = dict(Dataset.objects.filter(pk__in={r["dataset_id"] for r in rows}).values_list("pk", "personal_info"))
    versions = _versions(rows)
    # The version each rule's new bad events broke, where a grant change splits a bucket; elsewhere the bucket's own.
    broken = versions_broken(rows, versions, after=after, upto=upto)
    accountable = AccountableIndex({r["agreement_id"] for r in rows})
    now = timezone.now()
    instants = {}  # bucket -> the instant its accountable party is named at; many rows share a bucket
    findings = []
    for row in rows:  # one row per touched bucket, not per event
        start = as_date(row["bucket_start"])
        label = bucket_label(start, row["interval"])
        evidence = {
            "quota_interval": label,
            "events_in_interval": row["events"],
            "records_in_interval": row["records"],
            "new_events": row["n_events"],
            "event_counts": {c: row[c] for c in COUNTERS[2:] if row[c]},
        }
        base = dict(
            agreement_id=row["agreement_id"],
            dataset_id=row["dataset_id"],
            permission_id=row["permission_id"],
            permission_version=row["version_number"],
            interval=label,
            evidence=evidence,
        )
        found = []
        split = broken.get((row["permission_id"], row["interval"], start), {})
        for counter, (kind, rule) in RULE_COUNTERS.items():
            if row[f"n_{counter}"]:
                number = split.get(counter, row["version_number"])
                version = versions.get((row["permission_id"], number))
                observed = {"events": row[counter], "new_events": row[f"n_{counter}"]}
                found.append(
                    Finding(
                        kind=kind, rule=rule, allowed=_allowed(counter, version), observed=observed,
                        **(base | {"permission_version": number}),
                    )  # fmt: skip
                )
        if _over_quota(row):
            used = row["records"] if row["quota_unit"] == "records" else row["events"]
            found.append(
                Finding(kind=V.QUOTA_EXCEEDED, rule=QUOTA_RULE, allowed=row["quota_count"], observed=used, **base)
            )
        if not found:
            continue
        agreement = accountable.agreements[row["agreement_id"]]
        at = instants.get(label)
        if at is None:
            at = instants[label] = _accountable_at(start, row["interval"], now)
        attach_accountability(
            found, agreement=agreement, personal_info=personal_info.get(row["dataset_id"], "none"), at=at, index=accountable
        )
        findings.extend(found)
    return findings
