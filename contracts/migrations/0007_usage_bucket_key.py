"""Scan totals keyed by one packed bigint (models.scan.bucket_key) instead of four columns.

The totals are derived from the events, so the table is rebuilt empty rather than rekeyed:
the next scan finds it empty behind its watermark and counts every event again. The new
table is unlogged with free space on each page, as migration 0006 made the old one.
"""

import datetime

from django.db import migrations, models

FORWARD = "ALTER TABLE contracts_usagebucket SET UNLOGGED, SET (fillfactor = 70)"


def _unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


FIELDS = [
    ("agreement_id", models.BigIntegerField()),
    ("dataset_id", models.BigIntegerField()),
    ("permission_id", models.BigIntegerField(null=True)),
    ("interval", models.CharField(max_length=10)),
    ("bucket_start", models.DateField()),
    ("records", models.BigIntegerField(default=0)),
    ("events", models.BigIntegerField(default=0)),
    ("unpermitted", models.BigIntegerField(default=0)),
    ("action_bad", models.BigIntegerField(default=0)),
    ("purpose_bad", models.BigIntegerField(default=0)),
    ("recipient_bad", models.BigIntegerField(default=0)),
    ("validity_bad", models.BigIntegerField(default=0)),
    ("inactive_bad", models.BigIntegerField(default=0)),
    ("agreement_bad", models.BigIntegerField(default=0)),
    ("version_number", models.IntegerField(null=True)),
    ("quota_count", models.BigIntegerField(null=True)),
    ("quota_unit", models.CharField(blank=True, max_length=10)),
    ("updated_at", models.DateTimeField(auto_now=True)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0006_usage_bucket_unlogged"),
    ]

    operations = [
        migrations.DeleteModel(name="UsageBucket"),
        migrations.CreateModel(
            name="UsageBucket",
            fields=[("bucket_key", models.BigIntegerField(primary_key=True, serialize=False)), *FIELDS],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("agreement_id__gte", 0),
                            ("agreement_id__lt", 4194304),
                            ("bucket_start__gte", datetime.date(1900, 1, 1)),
                            ("dataset_id__gte", 0),
                            ("dataset_id__lt", 1048576),
                        ),
                        name="usage_bucket_ids_fit_key",
                    ),
                ],
            },
        ),
        migrations.RunPython(_unlogged, migrations.RunPython.noop),
    ]
