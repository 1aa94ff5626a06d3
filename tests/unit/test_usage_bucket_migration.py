"""Upgrading to the packed bucket key keeps the scan's running totals (migration contracts 0007)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contracts.models import UsageBucket
from contracts.models.scan import bucket_key

BEFORE = [("contracts", "0006_usage_bucket_unlogged")]
AFTER = [("contracts", "0007_usage_bucket_key")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_upgrading_keeps_each_total_under_its_packed_key():
    old_apps = migrate(BEFORE)
    try:
        OldBucket = old_apps.get_model("contracts", "UsageBucket")
        for interval, start, records in (
            ("week", datetime.date(2026, 11, 2), 120),
            ("month", datetime.date(2026, 11, 1), 300),
            ("total", datetime.date(1970, 1, 1), 5),
        ):
            OldBucket.objects.create(
                agreement_id=7, dataset_id=3, interval=interval, bucket_start=start, records=records, events=2,
                action_bad=1, quota_count=100, quota_unit="records",
            )  # fmt: skip
    finally:
        migrate(AFTER)
    stored = {
        (b.bucket_key, b.interval, b.bucket_start, b.records, b.events, b.action_bad, b.quota_count)
        for b in UsageBucket.objects.all()
    }
    assert stored == {
        (bucket_key(7, 3, "week", datetime.date(2026, 11, 2)), "week", datetime.date(2026, 11, 2), 120, 2, 1, 100),
        (bucket_key(7, 3, "month", datetime.date(2026, 11, 1)), "month", datetime.date(2026, 11, 1), 300, 2, 1, 100),
        (bucket_key(7, 3, "total", datetime.date(1970, 1, 1)), "total", datetime.date(1970, 1, 1), 5, 2, 1, 100),
    }
