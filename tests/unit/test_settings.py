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
