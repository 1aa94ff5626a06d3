"""State of the incremental scan over observed usage events.

``ScanWatermark`` remembers the last event id the scan has counted.
``UsageBucket`` keeps, per grant and quota interval, the running totals the scan
has counted so far, so each run reads only the new events: a late event adds to
the bucket of the day it *occurred*, not the day it arrived.

On PostgreSQL the totals table is unlogged, with free space left on each page
(migration 0006): the totals are derived from the events, and the scan recounts
them all when it finds the table empty behind a non-zero watermark.
"""

from django.db import models


class ScanWatermark(models.Model):
    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class UsageBucket(models.Model):
    # The natural key is the primary key: one index to maintain on every scan's upsert, not two.
    pk = models.CompositePrimaryKey("agreement_id", "dataset_id", "interval", "bucket_start")
    agreement_id = models.BigIntegerField()
    dataset_id = models.BigIntegerField()
    permission_id = models.BigIntegerField(null=True)
    interval = models.CharField(max_length=10)  # the grant's quota_interval (month when there is no grant)
    bucket_start = models.DateField()
    records = models.BigIntegerField(default=0)
    events = models.BigIntegerField(default=0)
    # Events that broke a rule, by rule.
    unpermitted = models.BigIntegerField(default=0)
    action_bad = models.BigIntegerField(default=0)
    purpose_bad = models.BigIntegerField(default=0)
    recipient_bad = models.BigIntegerField(default=0)
    validity_bad = models.BigIntegerField(default=0)
    inactive_bad = models.BigIntegerField(default=0)
    agreement_bad = models.BigIntegerField(default=0)
    # The grant version counted last in this bucket and its quota.
    version_number = models.IntegerField(null=True)
    quota_count = models.BigIntegerField(null=True)
    quota_unit = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

