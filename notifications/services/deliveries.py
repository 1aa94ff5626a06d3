"""Sending one notification over its channel, one DeliveryAttempt row per try.

The send happens outside any transaction (no row lock held over the network). A
notification is claimed first with a conditional UPDATE; the claim is a lease,
so one left "sending" by a killed worker is taken again once the lease expires.
"""

import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Channel, DeliveryAttempt, Notification
from notifications.services.notify import DELIVER_TASK
from notifications.transports import TRANSPORTS, TransportError
from partnerships.actors import Actor
from partnerships.publish import publish_now

LEASE_SECONDS = 120  # longer than a webhook timeout, so a live send is never taken over


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s, ... capped (the cap stays below the broker's visibility timeout)."""
    return min(settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.NOTIFICATION_RETRY_MAX_SECONDS)


def _claimable(now) -> Q:
    return (Q(status="pending") & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        status="sending", claimed_until__lt=now
    )


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    lease = now + timezone.timedelta(seconds=LEASE_SECONDS)
    return bool(
        Notification.objects.filter(_claimable(now), pk=notification_id, channel__isnull=False).update(
            status="sending", claimed_until=lease
        )
    )


def delivery_attempt(*, notification_id: int) -> DeliveryAttempt | None:
    """Try to send once. None when someone else has it, it is not due, or it is done."""
    if not _claim(notification_id):
        return None
    notification = Notification.objects.select_related("channel").get(pk=notification_id)
    channel = notification.channel
    if channel is None or not channel.is_active or channel.disabled_at is not None or channel.deleted_at is not None:
        # Ended without sending. The channel's own state is the reason, not a failure of it:
        # counting this toward disabling would "disable" a channel its owner merely turned off.
        error = "channel turned off, disabled or deleted"
        return _record(notification, code=None, error=error, permanent=True, duration_ms=0, counts=False)
    code, error, permanent = None, "", False
    started = time.monotonic()
    try:
        code = TRANSPORTS[channel.kind](channel).send(notification)
    except TransportError as exc:
        code, error, permanent = exc.response_code, exc.message, exc.permanent
    except Exception as exc:  # a bug in a transport must not leave the row claimed forever
        error = f"{exc.__class__.__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(notification, code=code, error=error, permanent=permanent, duration_ms=duration_ms)


@transaction.atomic
def _record(notification, *, code, error, permanent, duration_ms, counts: bool = True) -> DeliveryAttempt:
    now = timezone.now()
    number = notification.attempts + 1
    is_test = notification.reason.startswith("test:")
    if not error:
        status, fields = "delivered", dict(status="delivered", delivered_at=now, last_error="")
    elif permanent or is_test or number >= settings.NOTIFICATION_MAX_ATTEMPTS:  # a test is one try
        status, fields = "failed", dict(status="failed", last_error=error)
    else:
        retry_at = now + timezone.timedelta(seconds=backoff_seconds(number))
        status, fields = "retry", dict(status="pending", next_attempt_at=retry_at, last_error=error)
    attempt = DeliveryAttempt.objects.create(
        notification=notification,
        number=number,
        status=status,
        response_code=code,
        error=error[:2000],
        duration_ms=duration_ms,
    )
    Notification.objects.filter(pk=notification.pk).update(attempts=number, claimed_until=None, **fields)
    if status == "retry":
        countdown = backoff_seconds(number)
        transaction.on_commit(lambda: publish_now(DELIVER_TASK, notification.pk, countdown=countdown))
    if notification.channel_id and counts and not is_test:
        if status == "delivered":
            Channel.objects.filter(pk=notification.channel_id).update(consecutive_failures=0)
        elif status == "failed":
            _channel_failed(notification.channel_id, error)
    return attempt


def disabled_dedup_key(channel_id: int) -> str:
    """The "channel disabled" alert's key; re-enabling the channel resolves that alert (services.channels)."""
    return f"channel_disabled:c{channel_id}"


def _channel_failed(channel_id: int, error: str) -> None:
    """Count a notification given up on; past the threshold, disable the channel and tell its owner."""
    Channel.objects.filter(pk=channel_id).update(consecutive_failures=F("consecutive_failures") + 1)
    disabled = Channel.objects.filter(
        pk=channel_id,
        is_active=True,  # one its owner turned off (or deleted) while this was being sent stays as they left it
        disabled_at__isnull=True,
        consecutive_failures__gte=settings.CHANNEL_DISABLE_AFTER_FAILURES,
    ).update(is_active=False, disabled_at=timezone.now(), disabled_reason=error[:2000])
    if not disabled:
        return
    from notifications.services.alerts import alert_raise  # alerts import deliveries' neighbours; keep the cycle local

    channel = Channel.objects.get(pk=channel_id)
    alert_raise(
        kind="channel_disabled",
        dedup_key=disabled_dedup_key(channel.pk),
        summary=f"Your {channel.kind} channel \"{channel.name}\" was disabled after repeated failures",
        severity="warning",
        owner=channel.owner,
        rule=f"A channel is disabled after {settings.CHANNEL_DISABLE_AFTER_FAILURES} notifications in a row fail.",
        evidence={"channel": channel.pk, "last_error": error[:500]},
    )


def deliveries_due(limit: int = 500) -> list[int]:
    """Channel notifications whose next attempt is due, or whose sender died mid-send."""
    now = timezone.now()
    return list(
        Notification.objects.filter(_claimable(now), channel__isnull=False)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def channel_send_test(*, actor: Actor, channel: Channel) -> Notification:
    """Send a test message now and return it with its attempt (does not count toward disabling)."""
    if not (actor.is_admin or channel.owner_id == actor.user.pk):
        raise PermissionDenied(_("Only the channel's owner may test it."))
    body = '{"test": true, "message": "Test notification from the partnership contract tracker."}'
    with transaction.atomic():
        notification = Notification.objects.create(
            key=f"-:{channel.owner_id}:c{channel.pk}:test:{uuid.uuid4().hex}",
            user_id=channel.owner_id,
            channel=channel,
            reason="test:send",
            subject=_("Test notification"),
            body=body,
            next_attempt_at=timezone.now(),
        )
    delivery_attempt(notification_id=notification.pk)
    notification.refresh_from_db()
    return notification

