"""Benchmark the scope check's full scan over observed events against a hand-written reference.

    DATABASE_URL=postgres://.../tracker_bench python bench/scope.py [--agreements 1000]
        [--grants 10000] [--events 5000000] [--seed 1]

Generates agreements, grants (10 per agreement by default) and events in PostgreSQL
(everything previously in the usage tables of that database is deleted first), then
in the same run times:

- ``scan_s``: the project's full scan (contracts.scope.events.scan_events from an empty
  watermark: counts, all rules, quota totals, findings);
- ``reference_s``: a hand-written SQL that computes only the quota totals per grant and
  bucket (the least any correct scan must do), checked to find the same quota violations;
- ``incremental_1pct_s``: the incremental scan after 1% more events arrive: nine in ten
  occurred in the last day, one in ten arrived late, from up to three months back;
- ``incremental_1pct_all_late_s``: the same when every one of them is late (the worst
  case: each new event lands in a quota interval of its own).

Each is the best of ``--repeat`` rounds (these machines are noisy); each round times all
four side by side, and its incremental runs are rolled back, so each one adds the same new
events to the same totals.

Prints ``scan_s``, ``reference_s``, ``incremental_1pct_s``, ``incremental_vs_scan``, the
all-late figures and, last, ``scan_vs_reference``. Goals: scan_vs_reference <= 1.5,
incremental_vs_scan <= 0.05.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup  # noqa: E402

WIPE = [
    "contracts_usageevent", "contracts_usagebucket", "contracts_scanwatermark", "notifications_alert",
    "contracts_usagedeclaration", "contracts_permissionversion", "contracts_datausepermission_recipients",
    "contracts_datausepermission", "contracts_agreementtransition", "contracts_agreementversion",
    "contracts_responsibilityassignment", "contracts_agreement", "contracts_dataset",
]  # fmt: skip

DATASETS = 50


def generate(cursor, agreements: int, grants: int, events: int, seed: int) -> None:
    per_agreement = max(1, grants // agreements)
    assert per_agreement <= DATASETS, "at most 50 grants per agreement (one per dataset)"
    cursor.execute(f"TRUNCATE {', '.join(WIPE)} RESTART IDENTITY CASCADE")
    cursor.execute("DELETE FROM partnerships_organization WHERE credit_code LIKE 'BENCH%%'")
    cursor.execute("SELECT setseed(%s)", [seed / 1000])
    cursor.execute(
        """INSERT INTO partnerships_organization (name, name_en, kind, credit_code, region_code, created_at)
           SELECT CASE WHEN g = 0 THEN 'Bench bureau' ELSE 'Bench partner ' || g END, '',
                  CASE WHEN g = 0 THEN 'government' ELSE 'enterprise' END,
                  'BENCH' || lpad(g::text, 13, '0'), '330000', now()
           FROM generate_series(0, %s) g""",
        [agreements],
    )
    cursor.execute("SELECT id FROM partnerships_organization WHERE credit_code = 'BENCH0000000000000'")
    gov = cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO contracts_dataset (code, name, name_en, owner_id, grade, personal_info, description, created_at)
           SELECT 'BENCH-DS-' || g, 'Bench dataset ' || g, '', %s, 'general', 'none', '', now()
           FROM generate_series(1, %s) g""",
        [gov, DATASETS],
    )
    cursor.execute(
        """INSERT INTO contracts_agreement (reference, title, model, government_id, partner_id, description,
               starts_on, ends_on, value, currency, status, version, created_at, updated_at)
           SELECT 'BENCH-' || lpad(o.n::text, 6, '0'), 'Bench agreement', 'SERVICE', %s, o.id, '',
                  current_date - 400, current_date + 1000, 0, 'CNY', 'active', 1, now(), now()
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM partnerships_organization
                 WHERE credit_code LIKE 'BENCH%%' AND kind = 'enterprise') o""",
        [gov],
    )
    cursor.execute(
        """INSERT INTO contracts_agreementtransition (agreement_id, from_status, to_status, reason, at)
           SELECT id, 'draft', 'active', 'bench', now() - interval '400 days' FROM contracts_agreement""",
        [],
    )
    # Grants: per agreement, consecutive datasets; monthly quotas mostly, weekly and daily ones too.
    cursor.execute(
        """INSERT INTO contracts_datausepermission (agreement_id, dataset_id, actions, purposes, valid_from, valid_until,
               quota_count, quota_interval, quota_unit, declaration_schedule, declaration_due_days,
               anonymize_required, status, status_reason, version, created_at, updated_at)
           SELECT a.id, d.id, '["aggregate", "read"]', '["PublicBenefit"]', now() - interval '400 days',
                  now() + interval '400 days',
                  -- Quotas about three times the expected use (1.5 for days, which vary more);
                  -- one grant in a hundred gets a quota below its expected use, so it runs over.
                  ceil(%(per_year)s * CASE WHEN a.id %% 100 = 0 THEN 0.8 ELSE 3 END
                       / CASE WHEN k %% 10 = 8 THEN 52 WHEN k %% 10 = 9 THEN 365 / 2 ELSE 12 END)::bigint,
                  CASE WHEN k %% 10 = 8 THEN 'week' WHEN k %% 10 = 9 THEN 'day' ELSE 'month' END,
                  'records', 'monthly', 10, false, 'active', '', 1, now(), now()
           FROM contracts_agreement a
           CROSS JOIN generate_series(0, %(per_agreement)s - 1) k
           JOIN contracts_dataset d ON d.code = 'BENCH-DS-' || (1 + (a.id * 7 + k) %% %(datasets)s)""",
        # Records a grant sees in a year: events per grant times the mean record count (10.5).
        {"per_agreement": per_agreement, "datasets": DATASETS, "per_year": events / (agreements * per_agreement) * 10.5},
    )
    cursor.execute(
        """INSERT INTO contracts_permissionversion (permission_id, number, status, recipient_ids, change, reason,
               effective_from, effective_to, actions, purposes, valid_from, valid_until, quota_count,
               quota_interval, quota_unit, declaration_schedule, declaration_due_days, anonymize_required, created_at)
           SELECT id, 1, 'active', '[]', 'grant', '', now() - interval '400 days',
                  CASE WHEN id %% 50 = 0 THEN now() - interval '60 days' END,
                  actions, purposes, valid_from, valid_until, quota_count, quota_interval, quota_unit,
                  declaration_schedule, declaration_due_days, anonymize_required, now()
           FROM contracts_datausepermission""",
        [],
    )
    # One grant in fifty was suspended 60 days ago: a second version, so the range join matters.
    cursor.execute(
        """INSERT INTO contracts_permissionversion (permission_id, number, status, recipient_ids, change, reason,
               effective_from, effective_to, actions, purposes, valid_from, valid_until, quota_count,
               quota_interval, quota_unit, declaration_schedule, declaration_due_days, anonymize_required, created_at)
           SELECT id, 2, 'suspended', '[]', 'suspend', 'bench', now() - interval '60 days', NULL,
                  actions, purposes, valid_from, valid_until, quota_count, quota_interval, quota_unit,
                  declaration_schedule, declaration_due_days, anonymize_required, now()
           FROM contracts_datausepermission WHERE id %% 50 = 0""",
        [],
    )
    insert_events(cursor, events, first=1, max_age_days=365)
    cursor.execute("ANALYZE")


def insert_events(cursor, count: int, *, first: int, max_age_days: int, late_share: float = 1.0) -> None:
    """Events spread over the grants; one in a thousand with an action or purpose not granted,
    one in two thousand for a dataset the agreement has no grant for. A ``late_share`` of them
    occurred at any time in the last ``max_age_days``, the others in the last day."""
    cursor.execute(
        """WITH p AS (SELECT row_number() OVER (ORDER BY id) - 1 AS i, agreement_id, dataset_id
                      FROM contracts_datausepermission),
                n AS (SELECT count(*) AS c FROM p)
           INSERT INTO contracts_usageevent (source, event_id, occurred_at, agreement_id, dataset_id, action,
                purpose, record_count, recipient_id, received_at)
           SELECT 'bench', 'e' || g,
                  now() - random() * (CASE WHEN random() < %s THEN %s ELSE 1 END * interval '1 day'), p.agreement_id,
                  CASE WHEN r < 0.0005 THEN (SELECT min(id) FROM contracts_dataset) + 49 - (p.dataset_id %% 3)
                       ELSE p.dataset_id END,
                  CASE WHEN r BETWEEN 0.001 AND 0.002 THEN 'sell' ELSE 'read' END,
                  CASE WHEN r BETWEEN 0.002 AND 0.003 THEN 'Marketing' ELSE 'ImprovePublicServices' END,
                  1 + (random() * 19)::int, NULL, now()
           FROM (SELECT g, random() AS r FROM generate_series(%s, %s) g) s
           CROSS JOIN n
           JOIN p ON p.i = (s.g::bigint * 7919) %% n.c""",
        [late_share, max_age_days, first, first + count - 1],
    )


REFERENCE = """
SELECT e.agreement_id, e.dataset_id, v.quota_interval,
       date_trunc(v.quota_interval, e.occurred_at AT TIME ZONE %(tz)s)::date AS bucket,
       SUM(e.record_count) AS records, MAX(v.quota_count) AS quota
FROM contracts_usageevent e
JOIN contracts_datausepermission p ON p.agreement_id = e.agreement_id AND p.dataset_id = e.dataset_id
JOIN contracts_permissionversion v ON v.permission_id = p.id
     AND v.effective_from <= e.occurred_at AND (v.effective_to IS NULL OR v.effective_to > e.occurred_at)
WHERE e.id <= %(upto)s
GROUP BY 1, 2, 3, 4
"""


def reference(cursor, tz: str, upto: int) -> set:
    cursor.execute(REFERENCE, {"tz": tz, "upto": upto})
    return {
        (agreement, dataset, f"{interval}:{bucket.isoformat()}")
        for agreement, dataset, interval, bucket, records, quota in cursor.fetchall()
        if quota is not None and records > quota
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--grants", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; the best is reported")
    parser.add_argument("--keep", action="store_true", help="reuse data generated by an earlier run of the same sizes")
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.db import connection, transaction

    from contracts.models import ScanWatermark
    from contracts.scope.events import WATERMARK, scan_events, scan_reset

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contracts_usageevent")
        have = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM contracts_datausepermission")
        grants = cursor.fetchone()[0]
        if not (args.keep and have == args.events and grants == args.grants):
            generate(cursor, args.agreements, args.grants, args.events, args.seed)
    print(f"agreements={args.agreements} grants={args.grants} events={args.events} "
          f"generate_s={time.perf_counter() - t0:.1f}", flush=True)  # fmt: skip

    # 1% more events arrive, twice: as they usually do (one in ten late, from up to three months
    # back) and all late. Both are stored once, after the generated events: the full scans and the
    # reference count up to the last generated event, each incremental scan one of the two.
    new_events = max(1, args.events // 100)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM contracts_usageevent")
        generated_upto = cursor.fetchone()[0]
        insert_events(cursor, new_events, first=args.events + 1, max_age_days=90, late_share=0.1)
        cursor.execute("SELECT max(id) FROM contracts_usageevent")
        usual_upto = cursor.fetchone()[0]
        insert_events(cursor, new_events, first=args.events + new_events + 1, max_age_days=90)
        cursor.execute("ANALYZE contracts_usageevent")

    # Each round times the four side by side, so the best of each comes from the same stretch of
    # time (on a shared machine a slow stretch lasts seconds: best-of-3 incremental runs taken
    # back to back varied by 40% between two invocations). Each incremental run is rolled back.
    times = {"scan": [], "reference": [], "incremental": [], "all_late": []}
    findings, expected = [], set()
    try:
        for _ in range(args.repeat):
            scan_reset()
            t = time.perf_counter()
            findings = scan_events(settle_seconds=0, upto=generated_upto)
            times["scan"].append(time.perf_counter() - t)
            with transaction.atomic():
                t = time.perf_counter()
                scan_events(settle_seconds=0, upto=usual_upto)
                times["incremental"].append(time.perf_counter() - t)
                transaction.set_rollback(True)
            with transaction.atomic():
                # Skip the usual arrivals: the all-late ones are added to the same totals.
                ScanWatermark.objects.filter(name=WATERMARK).update(last_event_id=usual_upto)
                t = time.perf_counter()
                scan_events(settle_seconds=0)
                times["all_late"].append(time.perf_counter() - t)
                transaction.set_rollback(True)
            with connection.cursor() as cursor:
                t = time.perf_counter()
                expected = reference(cursor, settings.TIME_ZONE, generated_upto)
                times["reference"].append(time.perf_counter() - t)
    finally:
        with transaction.atomic(), connection.cursor() as cursor:  # back to the generated data, for --keep
            cursor.execute("DELETE FROM contracts_usageevent WHERE id > %s", [generated_upto])
    found = {(x.agreement_id, x.dataset_id, x.interval) for x in findings if x.kind == "quota_exceeded"}
    if found != expected:
        sys.exit(f"MISMATCH: scan found {len(found)} quota violations, reference {len(expected)}; "
                 f"only scan: {sorted(found - expected)[:5]}, only reference: {sorted(expected - found)[:5]}")  # fmt: skip
    kinds = {}
    for x in findings:
        kinds[x.kind] = kinds.get(x.kind, 0) + 1
    print(f"quota_violations={len(found)} (same in both) findings={dict(sorted(kinds.items()))}")
    print("runs (s): " + "; ".join(f"{name} {','.join(f'{x:.3f}' for x in runs)}" for name, runs in times.items()))
    best = {name: min(runs) for name, runs in times.items()}
    print(f"scan_s={best['scan']:.3f}")
    print(f"reference_s={best['reference']:.3f}")
    print(f"incremental_1pct_s={best['incremental']:.3f}")
    print(f"incremental_vs_scan={best['incremental'] / best['scan']:.4f}")
    print(f"incremental_1pct_all_late_s={best['all_late']:.3f}")
    print(f"all_late_vs_scan={best['all_late'] / best['scan']:.4f}")
    print(f"scan_vs_reference={best['scan'] / best['reference']:.3f}")


if __name__ == "__main__":
    main()
