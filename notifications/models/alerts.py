from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Agreement, DataUsePermission, Dataset
from notifications.codes import ALERT_KIND_CHOICES, LIVE_ALERT_STATUSES, AlertStatus, Severity
from partnerships.models import Organization


class Alert(models.Model):
    """One problem a supervisor must see, identified by its dedup key.

    A repeat of the same problem while the alert is open or acknowledged raises
    ``occurrences`` and ``last_seen`` instead of opening a second alert; the
    partial unique index below is what guarantees that under concurrency.
    """

    dedup_key = models.CharField(max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=ALERT_KIND_CHOICES)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default="open")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    permission = models.ForeignKey(
        DataUsePermission, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    permission_version = models.PositiveIntegerField(null=True, blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    # Copied from the agreement so visibility and routing need no join, and alerts without one still route.
    government = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    accountable_party = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.CharField(_("touched area"), max_length=30, blank=True)
    interval = models.CharField(max_length=60, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    rule = models.TextField(blank=True)
    allowed = models.JSONField(null=True, blank=True)
    observed = models.JSONField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    occurrences = models.PositiveIntegerField(default=1)
    silenced_by = models.ForeignKey("Silence", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    escalation_level = models.PositiveIntegerField(default=0)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(  # for alerts about a user's own things (a disabled channel)
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], condition=Q(status__in=LIVE_ALERT_STATUSES), name="alert_one_live_per_key"
            ),
            models.CheckConstraint(condition=Q(occurrences__gte=1), name="alert_occurrences_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["agreement", "status"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.dedup_key} ({self.status})"


class AlertEvent(models.Model):
    """One change of an alert: who, when, from, to and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)  # raised silenced acknowledged resolved dismissed escalated reminded
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Silence(models.Model):
    """Mutes notifications for matching alerts over [starts_at, ends_at); the alerts are still recorded.

    ``matchers`` maps alert fields (kind, severity, agreement, dataset, partner) to a value
    (ids for agreement, dataset and partner); a silence matches when every matcher does.
    ``region_prefixes`` limits it to the jurisdictions its author supervises, all of them:
    an alert matches when its government party's region code starts with one (empty:
    everywhere, for administrators).
    """

    matchers = models.JSONField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    region_prefixes = models.JSONField(default=list, blank=True)  # e.g. ["32", "33"]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="silence_ends_after_start"),
            models.CheckConstraint(condition=~Q(reason=""), name="silence_reason_required"),
        ]

    # Before a silence could span several jurisdictions it had one prefix; the API still shows it,
    # and older callers still pass it. "32,33" for a silence over two.
    @property
    def region_prefix(self) -> str:
        return ",".join(self.region_prefixes)

    @region_prefix.setter
    def region_prefix(self, value: str) -> None:
        self.region_prefixes = [prefix for prefix in value.split(",") if prefix]


class EscalationPolicy(models.Model):
    """Level N of escalation for alerts of a severity: who is told when still unacknowledged after the delay."""

    name = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    level = models.PositiveIntegerField()
    delay_minutes = models.PositiveIntegerField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["severity", "level"]
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(fields=["severity", "level"], name="escalation_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="escalation_level_from_one"),
        ]
