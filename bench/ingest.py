#!/usr/bin/env python
"""Usage-event ingestion against a bare COPY of the same rows, on PostgreSQL.

    DATABASE_URL=postgres://... python bench/ingest.py [--events 1000000] [--repeat N] [--keep-db]

Makes a throwaway database next to the one DATABASE_URL names (migrated, then
dropped at the end), writes N events as NDJSON to a temporary file, and then,
each in its own process so that peak memory is measured apart:

- ingest: the project's path, ``usage_events_ingest`` reading the file as the
  endpoint reads a request body (parse, validate, COPY into staging, INSERT ...
  ON CONFLICT into the indexed events table), in one transaction;
- copy: the reference, a bare loader reading the same file, decoding each line
  with the same JSON decoder and COPYing its values into a table with the same
  columns and no index, constraint or key.

Prints ``ingest_rows_per_s``, ``copy_rows_per_s``, ``peak_rss_mb`` (of the
ingest process) and, last, ``ingest_vs_copy`` (ingest rate / copy rate).
``--repeat N`` runs the two parts N times, alternately, each on empty tables
after a checkpoint, prints every time and compares the best of each.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ("BENCH-POP", "BENCH-HEALTH", "BENCH-TRAFFIC", "BENCH-TAX", "BENCH-GEO")
ACTIONS = ("read", "aggregate", "derive")
PURPOSES = ("ImprovePublicServices", "ProvideOfficialStatistics", "ScientificResearch", "ServiceProvision")
AGREEMENT = "BENCH-AGR-001"


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_database(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + name))


# -- the parts, each run in its own process ------------------------------------


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def part_fixtures(url: str) -> None:
    """Parties, an active agreement, datasets and grants for the events to name."""
    setup_django(url)
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone as tz

    from contracts.models import Dataset
    from contracts.services.agreements import agreement_create, agreement_transition
    from contracts.services.permissions import permission_grant
    from partnerships.actors import actor_for
    from partnerships.models import Membership, Organization
    from partnerships.validators import make_credit_code

    bureau = Organization.objects.create(
        name="Bench bureau", kind="government", region_code="330000",
        credit_code=make_credit_code("11", "330000", "90000001"),
    )
    partner = Organization.objects.create(
        name="Bench partner", kind="enterprise", region_code="330100",
        credit_code=make_credit_code("91", "330100", "90000002"),
    )
    users = get_user_model().objects
    officer = users.create_user(username="bench-officer", password="bench-password-0")
    partner_user = users.create_user(username="bench-partner", password="bench-password-0")
    Membership.objects.create(user=officer, organization=bureau, role="officer")
    Membership.objects.create(user=partner_user, organization=partner, role="partner")
    actor = actor_for(officer)
    today = tz.localdate()
    agreement = agreement_create(
        actor=actor, reference=AGREEMENT, title="Bench agreement", model="BOT", government=bureau,
        partner=partner, starts_on=today - dt.timedelta(days=365), ends_on=today + dt.timedelta(days=365),
    )
    agreement_transition(actor=actor, agreement=agreement, action="activate", reason="bench")
    for code in DATASETS:
        dataset = Dataset.objects.create(code=code, name=code, owner=bureau, grade="general", personal_info="none")
        permission_grant(
            actor=actor, agreement=agreement, dataset=dataset, actions=list(ACTIONS), purposes=["PublicBenefit"],
            valid_from=tz.now() - dt.timedelta(days=365),
        )


def part_ingest(url: str, path: str) -> None:
    setup_django(url)
    from django.contrib.auth import get_user_model

    from contracts.services.usage_events import usage_events_ingest
    from partnerships.actors import actor_for

    actor = actor_for(get_user_model().objects.get(username="bench-partner"))
    with open(path, "rb") as body:
        started = time.perf_counter()
        report = usage_events_ingest(actor=actor, read=body.read)
        seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds, "accepted": report.accepted, "duplicates": report.duplicates,
        "rejected": report.rejected_count, "peak_rss_mb": peak_rss_mb(),
    }))


def part_copy(url: str, path: str) -> None:
    import psycopg

    columns = ("source", "event_id", "occurred_at", "agreement", "dataset", "action", "purpose",
               "record_count", "recipient")
    loads = json.loads
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_bare_events (source varchar(64), event_id varchar(128), occurred_at timestamptz,"
            " agreement text, dataset text, action varchar(20), purpose varchar(40), record_count bigint,"
            " recipient text)"
        )
        conn.commit()
        started = time.perf_counter()
        rows = 0
        with open(path, "rb") as body, cur.copy(f"COPY bench_bare_events ({', '.join(columns)}) FROM STDIN") as copy:
            write_row = copy.write_row
            for line in body:
                event = loads(line.decode())
                get = event.get
                write_row((
                    event["source"], event["event_id"], event["occurred_at"], event["agreement"],
                    event["dataset"], event["action"], event["purpose"], get("record_count", 1), get("recipient"),
                ))
                rows += 1
        conn.commit()
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mb": peak_rss_mb()}))


# -- the run --------------------------------------------------------------------


def generate(path: str, events: int, seed: int = 20261130) -> None:
    """NDJSON events over the last 90 days, spread over the bench datasets.

    As a gateway exports its access log: in time order, give or take a minute.
    """
    rng = random.Random(seed)
    start = datetime.now(timezone.utc) - timedelta(days=90)
    step = 90 * 86400 / max(events, 1)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(events):
            occurred = start + timedelta(seconds=n * step + rng.randrange(-60, 60))
            out.write(json.dumps({
                "source": "bench-gateway",
                "event_id": f"evt-{n:09d}",
                "occurred_at": occurred.isoformat(timespec="seconds"),
                "agreement": AGREEMENT,
                "dataset": DATASETS[n % len(DATASETS)],
                "action": ACTIONS[n % len(ACTIONS)],
                "purpose": PURPOSES[n % len(PURPOSES)],
                "record_count": rng.randrange(1, 500),
            }, separators=(",", ":")))
            out.write("\n")


def run_part(name: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--part", name, *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def start_afresh(url: str) -> None:
    """No rows from an earlier part, and a checkpoint, so that each timed part starts alike.

    The checkpoint writes out what earlier steps left in shared buffers.
    Without it the second part pays for the first one's dirty pages, and a load of
    a few hundred MB of WAL starts a checkpoint in the middle of whichever part
    crosses max_wal_size, a swing of a second either way. Needs a superuser or
    pg_checkpoint; without either, the parts run as they are.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_events")
        conn.execute("TRUNCATE contracts_usageevent")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000, help="how many events (default 1,000,000)")
    ap.add_argument(
        "--repeat", type=int, default=1, metavar="N",
        help="run each part N times, alternately, and compare the best of each (default 1)",
    )
    ap.add_argument("--keep-db", action="store_true", help="keep the throwaway database for inspection")
    ap.add_argument("--part", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.part:
        {"fixtures": part_fixtures, "ingest": part_ingest, "copy": part_copy}[opts.part](*opts.args)
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/ingest.py needs DATABASE_URL=postgres://... (PostgreSQL)")
    import psycopg

    name = f"{urlparse(url).path.lstrip('/') or 'tracker'}_bench_{os.getpid()}"
    bench_url = with_database(url, name)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": bench_url}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=env)
        run_part("fixtures", bench_url)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "events.ndjson")
            generate(path, opts.events)
            size_mb = os.path.getsize(path) / 2**20
            copies, ingests = [], []
            for _ in range(opts.repeat):
                start_afresh(bench_url)
                copies.append(run_part("copy", bench_url, path))
                start_afresh(bench_url)
                ingests.append(run_part("ingest", bench_url, path))
        for ingest, copy in zip(ingests, copies):
            if ingest.get("accepted") != opts.events or copy.get("rows") != opts.events:
                sys.exit(f"bench: expected {opts.events} rows, got ingest={ingest} copy={copy}")
        # Best of each: the run least disturbed by other work on the machine, for both alike.
        ingest = min(ingests, key=lambda part: part["seconds"])
        copy = min(copies, key=lambda part: part["seconds"])
        ingest_rate = opts.events / ingest["seconds"]
        copy_rate = opts.events / copy["seconds"]
        print(f"events={opts.events} body_mb={size_mb:.1f}")
        if opts.repeat > 1:
            print("ingest_seconds_each=" + ",".join(f"{part['seconds']:.2f}" for part in ingests))
            print("copy_seconds_each=" + ",".join(f"{part['seconds']:.2f}" for part in copies))
        print(f"ingest_seconds={ingest['seconds']:.2f} copy_seconds={copy['seconds']:.2f}")
        print(f"ingest_rows_per_s={ingest_rate:.0f}")
        print(f"copy_rows_per_s={copy_rate:.0f}")
        print(f"peak_rss_mb={max(part['peak_rss_mb'] for part in ingests):.1f}")
        print(f"ingest_vs_copy={ingest_rate / copy_rate:.3f}")
    finally:
        if not opts.keep_db:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
