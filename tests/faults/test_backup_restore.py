"""The restore drill: back up a live database with scripts/backup, restore it into a new
database with scripts/restore, and find the same rows there."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from contracts.models import Agreement, AgreementVersion, DataUsePermission, PermissionVersion

ROOT = Path(__file__).resolve().parents[2]


def _url(dbname: str) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}@" if s.get("PASSWORD") else f"{user}@"
    return f"postgresql://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{dbname}"


@pytest.mark.needs_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_new_database_keeps_every_row(world, tmp_path):
    counts = {
        "contracts_agreement": Agreement.objects.count(),
        "contracts_agreementversion": AgreementVersion.objects.count(),
        "contracts_datausepermission": DataUsePermission.objects.count(),
        "contracts_permissionversion": PermissionVersion.objects.count(),
    }
    assert counts["contracts_agreement"] == 3
    dump = tmp_path / "drill.dump"
    source = _url(connection.settings_dict["NAME"])
    subprocess.run(["scripts/backup", str(dump)], cwd=ROOT, env={**os.environ, "DATABASE_URL": source}, check=True)
    assert dump.stat().st_size > 0

    scratch = f"restore_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(
            ["scripts/restore", str(dump)],
            cwd=ROOT,
            env={**os.environ, "TARGET_DATABASE_URL": _url(scratch)},
            check=True,
            capture_output=True,
        )
        with psycopg.connect(_url(scratch)) as restored:
            for table, expected in counts.items():
                assert restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected, table
            refs = [r[0] for r in restored.execute("SELECT reference FROM contracts_agreement ORDER BY reference")]
            assert refs == ["JS-JV-001", "ZJ-BOT-001", "ZJ-SVC-002"]
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.mark.needs_postgres
def test_restore_refuses_a_damaged_dump(tmp_path):
    bad = tmp_path / "bad.dump"
    bad.write_bytes(b"PGDMP not really a dump")
    result = subprocess.run(
        ["scripts/restore", str(bad)],
        cwd=ROOT,
        env={**os.environ, "TARGET_DATABASE_URL": _url("postgres")},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
