from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.codes import Action, DeclarationStatus, Purpose
from contracts.models.agreements import Agreement
from contracts.models.datasets import Dataset
from partnerships.models import Organization


class UsageDeclaration(models.Model):
    """What a partner says it used. Append-only: a correction supersedes, never edits."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="declarations")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="declarations")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    actions = models.JSONField(_("actions"), default=list)
    record_count = models.BigIntegerField(_("record count"))
    recipients = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("recipients"))
    note = models.TextField(_("note"), blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=DeclarationStatus.choices, default="pending")
    violations = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("usage declaration")
        verbose_name_plural = _("usage declarations")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="declaration_period_order"),
            models.CheckConstraint(condition=Q(record_count__gte=0), name="declaration_count_not_negative"),
        ]
        indexes = [
            models.Index(fields=["agreement", "dataset", "period_start"]),
            # The sweeper looks for what is still pending.
            models.Index(fields=["status"], condition=Q(status="pending"), name="declaration_pending_idx"),
        ]


class DeclarationIdempotencyKey(models.Model):
    """Replays a declaration POST. The unique constraint, not a read-then-write, is what
    makes twenty concurrent identical requests store one declaration."""

    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    declaration = models.ForeignKey(UsageDeclaration, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_per_partner")]


class UsageEvent(models.Model):
    """An access observed by the data-exchange platform or an API gateway; high volume.

    Foreign keys are plain columns without database constraints or indexes of
    their own: ingestion has already resolved and scoped them, and every index
    is paid for on each of millions of inserts. The indexes kept are the ones
    readers need: the primary key (the scope check scans new events by id from
    its watermark), (source, event_id) for deduplication, and (agreement,
    dataset, occurred_at) for sums per grant and period; its prefix serves
    lookups by agreement.

    Not partitioned by month: PostgreSQL requires a unique constraint on a
    partitioned table to include the partition key, so (source, event_id)
    could then no longer be deduplicated across months. And what a load costs
    per row (bench/ingest.py, and the same INSERT timed in psql with and without
    each index) is the maintenance of these three indexes, which partitions
    would not remove, only split. Revisit with retention: dropping a whole
    month is where partitions win.
    """

    source = models.CharField(max_length=64)
    event_id = models.CharField(max_length=128)
    occurred_at = models.DateTimeField()
    agreement = models.ForeignKey(
        Agreement, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    record_count = models.BigIntegerField(default=1)
    recipient = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # db_default: ingestion COPYs rows straight into the table, outside the ORM.
    received_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="usage_event_unique_per_source"),
        ]
        indexes = [
            # The scope check groups by grant and time bucket.
            models.Index(fields=["agreement", "dataset", "occurred_at"], name="usage_event_grant_time_idx"),
        ]
