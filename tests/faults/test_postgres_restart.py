"""PostgreSQL crash-restarted during a bulk ingest of usage events (issue 7, part 4).

The ingest reads its events through a pipe, so the test decides exactly when the
database goes down: after the first chunk of the second batch is in the database
inside the ingest's open transaction, before the rest arrives. The ingest must
report the failure and leave nothing of that batch; the batch committed before
must survive the crash; sending the batch again stores it exactly once, and a
third send finds only duplicates.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from tests.faults.private_postgres import PrivatePostgres, missing

# needs_postgres: the suite's PostgreSQL runs are the ones that carry the server binaries and PostgreSQL ingest path.
pytestmark = [pytest.mark.slow, pytest.mark.needs_postgres]

ROOT = Path(__file__).resolve().parents[2]
PARTNER = "partner"  # a load_demo account with agreements to report usage under
FIRST_BATCH = 5_000
SECOND_BATCH = 60_000  # three of the writer's 20,000-row chunks


@pytest.fixture(scope="module")
def cluster():
    reason = missing()
    if reason:
        pytest.skip(reason)
    pg = PrivatePostgres().init()
    try:
        env = _env(pg)
        for command in (["migrate", "-v0"], ["load_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        yield pg
    finally:
        pg.destroy()


def _env(pg: PrivatePostgres) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL",)}
    return env | {"DATABASE_URL": pg.url, "PYTHONUNBUFFERED": "1"}


def _sql(pg: PrivatePostgres, query: str, params=()):
    with psycopg.connect(pg.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _target(pg: PrivatePostgres) -> tuple[str, str]:
    """An agreement the partner is party to, and a dataset."""
    reference = _sql(
        pg,
        """SELECT a.reference FROM contracts_agreement a
           JOIN partnerships_membership m ON m.organization_id = a.partner_id
           JOIN auth_user u ON u.id = m.user_id WHERE u.username = %s ORDER BY a.id LIMIT 1""",
        [PARTNER],
    )[0][0]
    code = _sql(pg, "SELECT code FROM contracts_dataset ORDER BY id LIMIT 1")[0][0]
    return reference, code


def _lines(prefix: str, n: int, agreement: str, dataset: str) -> list[bytes]:
    return [
        json.dumps(
            {
                "source": "gateway",
                "event_id": f"{prefix}-{i}",
                "occurred_at": "2026-01-15T10:00:00+08:00",
                "agreement": agreement,
                "dataset": dataset,
                "action": "read",
                "purpose": "ImprovePublicServices",
                "record_count": 1,
            }
        ).encode()
        + b"\n"
        for i in range(n)
    ]


def _ingest(pg, path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "ingest_usage", str(path), "--as", PARTNER, "--no-progress"]
    return subprocess.run(command, cwd=ROOT, env=_env(pg), capture_output=True, text=True, timeout=300)


def _report(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _events(pg, prefix: str) -> int:
    return _sql(pg, "SELECT count(*) FROM contracts_usageevent WHERE event_id LIKE %s", [prefix + "-%"])[0][0]


def _copy_in_progress(pg) -> bool:
    """The ingest's transaction is open and has run a COPY (its first chunk is in)."""
    rows = _sql(
        pg,
        """SELECT count(*) FROM pg_stat_activity
           WHERE datname = 'postgres' AND xact_start IS NOT NULL AND query ILIKE 'COPY%%'""",
    )
    return rows[0][0] > 0


def test_crash_restart_mid_ingest_loses_nothing_committed_and_stores_nothing_half(cluster, tmp_path):
    agreement, dataset = _target(cluster)

    # A batch committed before the crash.
    first = tmp_path / "first.ndjson"
    first.write_bytes(b"".join(_lines("first", FIRST_BATCH, agreement, dataset)))
    assert _report(_ingest(cluster, first))["accepted"] == FIRST_BATCH

    # The second batch arrives through a pipe; the database crashes while it is half sent.
    second = _lines("second", SECOND_BATCH, agreement, dataset)
    pipe = tmp_path / "second.ndjson"
    os.mkfifo(pipe)
    result = {}
    ingest = threading.Thread(target=lambda: result.setdefault("done", _ingest(cluster, pipe)))
    ingest.start()
    half = SECOND_BATCH // 2
    with open(pipe, "wb") as feed:
        feed.write(b"".join(second[:half]))
        feed.flush()
        deadline = time.monotonic() + 60
        while not _copy_in_progress(cluster):
            assert time.monotonic() < deadline, "the ingest never started copying"
            time.sleep(0.05)
        cluster.crash_restart()
        try:
            feed.write(b"".join(second[half:]))
        except BrokenPipeError:
            pass  # the ingest already gave up: that is the point
    ingest.join(timeout=120)
    assert not ingest.is_alive()

    failed = result["done"]
    assert failed.returncode != 0, failed.stdout  # the failure is reported, not a partial success
    assert "server closed the connection" in failed.stderr or "terminating connection" in failed.stderr
    assert _events(cluster, "first") == FIRST_BATCH  # committed before the crash: still there
    assert _events(cluster, "second") == 0  # nothing half-committed

    # Sending the batch again stores it exactly once; a third send finds only duplicates.
    resend = tmp_path / "second-again.ndjson"
    resend.write_bytes(b"".join(second))
    assert _report(_ingest(cluster, resend)) == {
        "accepted": SECOND_BATCH, "duplicates": 0, "rejected": [], "rejected_count": 0,
    }  # fmt: skip
    assert _report(_ingest(cluster, resend))["duplicates"] == SECOND_BATCH
    assert _events(cluster, "second") == SECOND_BATCH
    assert _events(cluster, "first") == FIRST_BATCH
