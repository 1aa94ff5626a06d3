"""Load a large file of observed usage events (NDJSON or CSV), as the API would, with a progress bar.

    manage.py ingest_usage events.ndjson --as gateway-bot
    manage.py ingest_usage events.csv --as gateway-bot --format csv
"""

import json
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contracts.services.usage_events import CSV, NDJSON, usage_events_ingest
from partnerships.actors import actor_for


class Command(BaseCommand):
    help = "Ingest usage events from a file (one event per line) and print the report."

    def add_arguments(self, parser):
        parser.add_argument("path", help="NDJSON or CSV file ('-' is not supported: the size drives the bar)")
        parser.add_argument("--as", dest="username", required=True, help="user whose agreements the events may name")
        parser.add_argument("--format", choices=[NDJSON, CSV], help="default: from the file name (.csv is CSV)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, path, username, format=None, no_progress=False, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        body_format = format or (CSV if path.lower().endswith(".csv") else NDJSON)
        try:
            size = os.path.getsize(path)
            body = open(path, "rb")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        bar = tqdm(total=size, unit="B", unit_scale=True, disable=no_progress, file=self.stderr._out)

        def read(n: int) -> bytes:
            data = body.read(n)
            bar.update(len(data))
            return data

        try:
            with body, bar:
                report = usage_events_ingest(actor=actor_for(user), read=read, body_format=body_format)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
