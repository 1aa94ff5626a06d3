"""Shared start-up for the benchmarks: Django against DATABASE_URL, migrated."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(require_postgres: bool = True) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if require_postgres and settings.DB_VENDOR != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... (a database this benchmark may fill and empty).")
    call_command("migrate", verbosity=0)
