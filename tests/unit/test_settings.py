"""Settings fail fast on bad values, and production mode passes Django's deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "tracker.example.gov.cn",
}


@pytest.mark.slow
def test_production_mode_passes_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be one of"),
        ({"API_PAGE_SIZE": "ten"}, "API_PAGE_SIZE must be an integer"),
        ({"API_PAGE_SIZE": "0"}, "API_PAGE_SIZE must be at least 1"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must be a redis://"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is required"),
        ({**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS is required"),
        ({**PRODUCTION, "DJANGO_DEBUG": "1"}, "DJANGO_DEBUG must be off"),
    ],
)
def test_bad_settings_stop_the_process_with_the_variable_named(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


KEPT_CONNECTION_OUTLIVES_A_RESTART = """
import django, psycopg
django.setup()
from django.db import close_old_connections, connection
connection.ensure_connection()
pid = connection.connection.info.backend_pid
with psycopg.connect(connection.connection.info.dsn, autocommit=True) as admin:
    admin.execute("SELECT pg_terminate_backend(%s)", [pid])  # what a database restart does to it
close_old_connections()  # what Django does when the next request starts
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
print("answered", connection.connection.info.backend_pid != pid)
"""


@pytest.mark.slow
@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_a_kept_database_connection_is_replaced_when_the_database_restarted():
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {"DATABASE_URL": url, "DB_CONN_MAX_AGE": "60", "DJANGO_SETTINGS_MODULE": "partnerships.settings"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", KEPT_CONNECTION_OUTLIVES_A_RESTART], cwd=ROOT, env=clean | env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "answered True"
