"""Code lists of alerts and deliveries (DESIGN section 5). The codes are public API."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.codes import ViolationKind


class OtherAlertKind(models.TextChoices):
    RESPONSIBILITY_GAP = "responsibility_gap", _("Responsibility gap")
    PERMISSION_EXPIRING = "permission_expiring", _("Permission expiring")
    AGREEMENT_EXPIRING = "agreement_expiring", _("Agreement expiring")
    DEAD_LETTER = "dead_letter", _("Background job given up")
    CHANNEL_DISABLED = "channel_disabled", _("Notification channel disabled")
    GRANT_REQUEST_OVERDUE = "grant_request_overdue", _("Grant request waiting for a decision")


ALERT_KIND_CHOICES = list(ViolationKind.choices) + list(OtherAlertKind.choices)
ALERT_KINDS = frozenset(k for k, _label in ALERT_KIND_CHOICES)
VIOLATION_KINDS = frozenset(ViolationKind.values)


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_ORDER = ("info", "warning", "critical")

# How a notification's subject says why it came, by its reason (before the ":", e.g. "reminder:2").
ALERT_SUBJECTS = {
    "raised": _("[%(severity)s] %(summary)s"),
    "reminder": _("Reminder: [%(severity)s] %(summary)s"),
    "escalation": _("Escalated: [%(severity)s] %(summary)s"),
}


def alert_subject(reason: str, *, severity: str, summary: str) -> str:
    """The subject, in the active language; an unknown reason reads as a raised alert."""
    text = ALERT_SUBJECTS.get(reason.split(":")[0], ALERT_SUBJECTS["raised"])
    return str(text) % {"severity": severity, "summary": summary}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# Statuses in which an alert still counts as "the" alert for its dedup key.
LIVE_ALERT_STATUSES = ("open", "acknowledged")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class AttemptStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    RETRY = "retry", _("Failed, will retry")
    FAILED = "failed", _("Failed, not retried")


class TaskRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DEAD = "dead", _("Dead letter")
