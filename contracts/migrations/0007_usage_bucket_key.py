"""Scan totals keyed by one packed bigint (models.scan.bucket_key) instead of four columns.

The totals are copied into the new table under their packed keys rather than left for the next
scan to rebuild from every event, which would hold the first scan after the upgrade for as long
as a full count. The new table is unlogged with free space on each page, as migration 0006 made
the old one. An id too large for its bits fails the copy on the check constraint, here rather
than in a later scan.
"""

import datetime

from django.db import migrations, models

UNLOGGED = "ALTER TABLE contracts_usagebucket SET UNLOGGED, SET (fillfactor = 70)"
COLUMNS = (
    "agreement_id, dataset_id, permission_id, interval, bucket_start, records, events, unpermitted, action_bad,"
    " purpose_bad, recipient_bad, validity_bad, inactive_bad, agreement_bad, version_number, quota_count,"
    " quota_unit, updated_at"
)
# models.scan.bucket_key as it was written here (the migration must not follow later changes).
CODES = "CASE interval WHEN 'day' THEN 1 WHEN 'week' THEN 2 WHEN 'month' THEN 3 WHEN 'year' THEN 4 WHEN 'total' THEN 5 END"
DAY = {
    "postgresql": "(bucket_start - DATE '1900-01-01')::bigint",
    "sqlite": "CAST(julianday(bucket_start) - julianday('1900-01-01') AS INTEGER)",
}


def _unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNLOGGED)


def _copy_totals(apps, schema_editor):
    day = DAY.get(schema_editor.connection.vendor, DAY["postgresql"])
    key = f"((agreement_id << 41) | (dataset_id << 21) | ({day} << 3) | {CODES})"
    schema_editor.execute(
        f"INSERT INTO contracts_usagebucket (bucket_key, {COLUMNS}) SELECT {key}, {COLUMNS} FROM contracts_usagebucketold"
    )


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
        migrations.RenameModel("UsageBucket", "UsageBucketOld"),
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
        migrations.RunPython(_copy_totals, migrations.RunPython.noop),
        migrations.DeleteModel(name="UsageBucketOld"),
    ]
