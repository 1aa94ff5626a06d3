"""The set-based scan over observed usage events, in three statements.

New events (id in (watermark, upto]) are joined to the grant version in force at
``occurred_at`` and to the agreement's status at that instant, grouped by grant and
quota bucket into a temporary table, which is then added to the running totals in
``contracts_usagebucket``. Python reads back one row per touched bucket, never one
per event.

PostgreSQL is the production dialect. SQLite gets the same statement with its own
spellings (json_each for list membership, a fixed UTC offset for local time, which
is exact for zones without daylight saving such as China's).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from contracts.codes import PURPOSE_PARENT

COUNTERS = (
    "records", "events", "unpermitted", "action_bad", "purpose_bad",
    "recipient_bad", "validity_bad", "inactive_bad", "agreement_bad",
)  # fmt: skip


def _parent_case(column: str) -> str:
    # Constants from the code list, not user input: safe to inline.
    whens = " ".join(f"WHEN '{child}' THEN '{parent}'" for child, parent in sorted(PURPOSE_PARENT.items()))
    return f"(CASE {column} {whens} ELSE '' END)"


def _dialect(vendor: str) -> dict:
    if vendor == "postgresql":
        tz = settings.TIME_ZONE
        local = f"(j.occurred_at AT TIME ZONE '{tz}')"
        return {
            "has_action": "(j.actions ? j.action)",
            "has_purpose": f"(j.purposes ? j.purpose OR j.purposes ? {_parent_case('j.purpose')})",
            "has_recipient": "(j.recipient_ids @> to_jsonb(j.recipient_id))",
            "bucket": f"""CASE j.interval WHEN 'total' THEN DATE '1970-01-01'
                          ELSE date_trunc(j.interval, {local})::date END""",
            "term_start": f"(a.starts_on::timestamp AT TIME ZONE '{tz}')",
            "term_end": f"((a.ends_on + 1)::timestamp AT TIME ZONE '{tz}')",
            "least": "LEAST",
        }
    offset = datetime.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    local = f"datetime(j.occurred_at, '{int(offset.total_seconds())} seconds')"
    return {
        "has_action": "EXISTS (SELECT 1 FROM json_each(j.actions) a WHERE a.value = j.action)",
        "has_purpose": f"""EXISTS (SELECT 1 FROM json_each(j.purposes) p
                           WHERE p.value = j.purpose OR p.value = {_parent_case('j.purpose')})""",
        "has_recipient": "EXISTS (SELECT 1 FROM json_each(j.recipient_ids) r WHERE r.value = j.recipient_id)",
        "bucket": f"""CASE j.interval
                        WHEN 'total' THEN '1970-01-01'
                        WHEN 'day' THEN date({local})
                        WHEN 'week' THEN date({local}, '-' || ((CAST(strftime('%%w', {local}) AS INTEGER) + 6) %% 7) || ' days')
                        WHEN 'month' THEN strftime('%%Y-%%m-01', {local})
                        ELSE strftime('%%Y-01-01', {local}) END""",
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: text order is time order.
        "term_start": f"datetime(a.starts_on, '{-int(offset.total_seconds())} seconds')",
        "term_end": f"datetime(a.ends_on, '+1 day', '{-int(offset.total_seconds())} seconds')",
        "least": "MIN",
    }


def new_counts_statement(vendor: str) -> str:
    """Fills the temporary table scope_scan_new with the new events' counts per bucket.

    Parameters: %(after)s, %(upto)s (event ids).
    """
    d = _dialect(vendor)
    when = "SUM(CASE WHEN {} THEN 1 ELSE 0 END)"
    granted = "j.version_number IS NOT NULL"
    return f"""
CREATE TEMPORARY TABLE scope_scan_new AS
WITH transitions AS (
    SELECT t.agreement_id, t.to_status, t.at,
           ROW_NUMBER() OVER (PARTITION BY t.agreement_id ORDER BY t.at, t.id) AS n,
           LEAD(t.at) OVER (PARTITION BY t.agreement_id ORDER BY t.at, t.id) AS next_at,
           {d['term_start']} AS term_start, {d['term_end']} AS term_end
    FROM contracts_agreementtransition t
    JOIN contracts_agreement a ON a.id = t.agreement_id
),
status_ranges AS (
    -- The first activation counts from the agreement's start (agreements are recorded late);
    -- nothing counts as active outside [starts_on, ends_on].
    SELECT agreement_id, to_status,
           CASE WHEN n = 1 THEN {d['least']}(at, term_start) ELSE at END AS starts,
           CASE WHEN next_at IS NULL OR next_at > term_end THEN term_end ELSE next_at END AS ends,
           term_start
    FROM transitions
),
j AS (
    SELECT e.agreement_id, e.dataset_id, e.occurred_at, e.action, e.purpose, e.recipient_id, e.record_count,
           p.id AS permission_id, v.number AS version_number, COALESCE(v.quota_interval, 'month') AS interval,
           v.actions, v.purposes, v.recipient_ids, v.status, v.valid_from, v.valid_until,
           sr.to_status AS agreement_status
    FROM contracts_usageevent e
    LEFT JOIN contracts_datausepermission p ON p.agreement_id = e.agreement_id AND p.dataset_id = e.dataset_id
    -- Before a grant was recorded its first version applies (its valid_from decides).
    LEFT JOIN contracts_permissionversion v ON v.permission_id = p.id
         AND (v.effective_from <= e.occurred_at OR v.number = 1)
         AND (v.effective_to IS NULL OR v.effective_to > e.occurred_at)
    LEFT JOIN status_ranges sr ON sr.agreement_id = e.agreement_id
         AND sr.starts <= e.occurred_at AND sr.ends > e.occurred_at AND e.occurred_at >= sr.term_start
    WHERE e.id > %(after)s AND e.id <= %(upto)s
),
per_version AS (
    SELECT j.agreement_id, j.dataset_id, j.permission_id, j.interval, {d['bucket']} AS bucket_start,
           j.version_number,
           SUM(j.record_count) AS records,
           COUNT(*) AS events,
           {when.format("j.permission_id IS NULL")} AS unpermitted,
           {when.format(f"{granted} AND NOT {d['has_action']}")} AS action_bad,
           {when.format(f"{granted} AND NOT ({d['has_purpose']})")} AS purpose_bad,
           {when.format(f"{granted} AND j.recipient_id IS NOT NULL AND NOT {d['has_recipient']}")} AS recipient_bad,
           {when.format("j.permission_id IS NOT NULL AND (j.version_number IS NULL OR j.occurred_at < j.valid_from"
                        " OR (j.valid_until IS NOT NULL AND j.occurred_at >= j.valid_until))")} AS validity_bad,
           {when.format(f"{granted} AND j.status <> 'active'")} AS inactive_bad,
           {when.format("j.agreement_status IS NULL OR j.agreement_status <> 'active'")} AS agreement_bad
    FROM j
    GROUP BY j.agreement_id, j.dataset_id, j.permission_id, j.interval, bucket_start, j.version_number
),
per_bucket AS (
    SELECT agreement_id, dataset_id, permission_id, interval, bucket_start, MAX(version_number) AS version_number,
           {", ".join(f"SUM({c}) AS {c}" for c in COUNTERS)}
    FROM per_version
    GROUP BY agreement_id, dataset_id, permission_id, interval, bucket_start
)
SELECT b.agreement_id, b.dataset_id, b.permission_id, b.interval, b.bucket_start, b.version_number,
       v.quota_count, COALESCE(v.quota_unit, '') AS quota_unit, {", ".join("b." + c for c in COUNTERS)}
FROM per_bucket b
LEFT JOIN contracts_permissionversion v ON v.permission_id = b.permission_id AND v.number = b.version_number
"""


def add_counts_statement() -> str:
    """Adds scope_scan_new to the running totals (the same SQL on both databases)."""
    counters_update = ", ".join(f"{c} = contracts_usagebucket.{c} + excluded.{c}" for c in COUNTERS)
    newer = "excluded.version_number >= COALESCE(contracts_usagebucket.version_number, 0)"
    return f"""
INSERT INTO contracts_usagebucket
    (agreement_id, dataset_id, permission_id, interval, bucket_start, version_number, quota_count, quota_unit,
     {", ".join(COUNTERS)}, updated_at)
SELECT agreement_id, dataset_id, permission_id, interval, bucket_start, version_number, quota_count, quota_unit,
       {", ".join(COUNTERS)}, CURRENT_TIMESTAMP
FROM scope_scan_new
WHERE true
ON CONFLICT (agreement_id, dataset_id, interval, bucket_start) DO UPDATE SET
    {counters_update},
    permission_id = excluded.permission_id,
    quota_count = CASE WHEN {newer} THEN excluded.quota_count ELSE contracts_usagebucket.quota_count END,
    quota_unit = CASE WHEN {newer} THEN excluded.quota_unit ELSE contracts_usagebucket.quota_unit END,
    version_number = CASE WHEN {newer} THEN excluded.version_number ELSE contracts_usagebucket.version_number END,
    updated_at = excluded.updated_at
"""


def touched_buckets_statement() -> str:
    """The buckets this run touched: new counts (n_*) beside the running totals."""
    return f"""
SELECT t.agreement_id, t.dataset_id, t.permission_id, t.interval, t.bucket_start, t.version_number,
       t.quota_count, t.quota_unit, {", ".join("t." + c for c in COUNTERS)},
       {", ".join(f"n.{c} AS n_{c}" for c in COUNTERS)}
FROM scope_scan_new n
JOIN contracts_usagebucket t ON t.agreement_id = n.agreement_id AND t.dataset_id = n.dataset_id
     AND t.interval = n.interval AND t.bucket_start = n.bucket_start
ORDER BY t.agreement_id, t.dataset_id, t.bucket_start
"""
