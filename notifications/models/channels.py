from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.codes import AttemptStatus, ChannelKind, NotificationStatus


class Channel(models.Model):
    """Where a person wants alerts besides the in-app inbox: an e-mail address or a webhook URL."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    name = models.CharField(max_length=200)
    target = models.CharField(_("address or URL"), max_length=500)
    secret = models.CharField(max_length=200, blank=True, help_text=_("HMAC-SHA256 key for webhook signatures"))
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    # A deleted channel is kept (inactive, secret dropped) as the record of where its messages went.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner", "name", "id"]

    def __str__(self):
        return f"{self.kind}:{self.name}"


class Notification(models.Model):
    """One message to one person on one channel ("inbox" or a Channel), for one reason.

    ``key`` (alert, person, channel, reason) is unique: a retried or duplicated job
    cannot notify twice. Inbox notifications are delivered when created; others are
    sent by the deliver task, each attempt recorded as a DeliveryAttempt.
    """

    key = models.CharField(max_length=200, unique=True)
    alert = models.ForeignKey("Alert", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # NULL means the inbox, so a channel with messages is never removed (services.channels.channel_delete
    # keeps it, marked deleted): SET_NULL used to turn its messages into a second copy in the inbox.
    channel = models.ForeignKey(Channel, on_delete=models.RESTRICT, null=True, blank=True, related_name="notifications")
    reason = models.CharField(max_length=60)  # raised, escalation:N, reminder:N, test:..., channel_disabled
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=NotificationStatus.choices, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "channel", "read_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=AttemptStatus.choices)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notification", "number"]
        constraints = [models.UniqueConstraint(fields=["notification", "number"], name="delivery_attempt_unique")]
