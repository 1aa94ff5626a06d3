"""Benchmark the audit chain: what chaining costs per write, and how fast verify_audit walks.

    DATABASE_URL=postgres://... python bench/audit_chain.py [--entries 20000]

Runs in a throw-away database made for the run (test_<name>, created and dropped
like Django's test runner does), so no real trail is touched. In the same run it times:

- ``plain_insert_s``: N single-row transactions inserting an AuditHead row (the
  reference: one small INSERT and a commit, no chain);
- ``append_s``: N single-row transactions through ``audit_record`` (lock the tip,
  hash, INSERT, move the tip, commit);
- ``verify_s``: ``verify_chain()`` over the N entries.

Prints those, ``append_vs_plain`` and ``verify_entries_per_s``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from partnerships.audit import audit_record
    from partnerships.audit.verify import verify_chain
    from partnerships.models import AuditHead

    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        n = args.entries
        after = {"status": "active", "reason": "Signed and approved", "value": "1000000.00", "at": timezone.now()}

        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                AuditHead.objects.create(seq=i, hash="0" * 64, recorded_at=timezone.now())
        plain = time.perf_counter() - started

        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                audit_record(
                    actor=None, action="agreement.activate", object_type="agreement", object_id=str(i),
                    before={"status": "draft"}, after=after,
                )
        append = time.perf_counter() - started

        with connection.cursor() as cursor:  # the reference rows are not heads of this chain
            # (a throw-away test_ database: the only place the append-only trigger allows TRUNCATE)
            cursor.execute(
                "TRUNCATE partnerships_audithead" if connection.vendor == "postgresql" else "DELETE FROM partnerships_audithead"
            )
        started = time.perf_counter()
        report = verify_chain()
        verify = time.perf_counter() - started
        assert report.ok and report.checked == n, report
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)

    print(f"entries={n} database={connection.vendor}")
    print(f"plain_insert_s={plain:.3f}")
    print(f"append_s={append:.3f}")
    print(f"verify_s={verify:.3f}")
    print(f"verify_entries_per_s={n / verify:.0f}")
    print(f"append_vs_plain={append / plain:.2f}")


if __name__ == "__main__":
    main()
