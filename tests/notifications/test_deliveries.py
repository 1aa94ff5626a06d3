"""Deliveries: one row per attempt, backoff on 5xx and network errors, no retry on 4xx,
failing channels disabled and their owner told; signed webhooks; e-mail; send test."""

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Alert, Channel, DeliveryAttempt, Notification
from notifications.services.alerts import alert_raise
from notifications.services.deliveries import backoff_seconds, channel_send_test, deliveries_due, delivery_attempt
from notifications.services.notify import notify
from partnerships.actors import actor_for
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    # The receivers here listen on 127.0.0.1, which webhooks may reach only when listed.
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver_factory():
    made = []

    def make(statuses):
        r = Receiver(statuses)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def raise_alert(world, key="quota_exceeded:test"):
    alert, _ = alert_raise(
        kind="quota_exceeded", dedup_key=key, summary="Quota exceeded", severity="warning",
        agreement=world.agreement, dataset=world.dataset, government_id=world.bureau.pk,
        partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk,
    )  # fmt: skip
    return alert


def webhook(world, url, user=None):
    return Channel.objects.create(owner=user or world.supervisor, kind="webhook", name="SOC", target=url, secret="s3cret")


def the_notification(channel):
    return Notification.objects.get(channel=channel)


def make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())


def test_webhook_500_then_200_is_retried_and_delivered_once(world, receiver_factory, settings):
    receiver = receiver_factory([500, 200])
    channel = webhook(world, receiver.url)
    raise_alert(world)
    n = the_notification(channel)
    attempt = delivery_attempt(notification_id=n.pk)
    assert (attempt.status, attempt.response_code) == ("retry", 500)
    n.refresh_from_db()
    assert n.status == "pending"
    assert (n.next_attempt_at - timezone.now()).total_seconds() > settings.NOTIFICATION_RETRY_BASE_SECONDS - 5
    assert delivery_attempt(notification_id=n.pk) is None  # not due yet
    make_due(n)
    assert deliveries_due() == [n.pk]
    attempt = delivery_attempt(notification_id=n.pk)
    assert (attempt.status, attempt.response_code) == ("delivered", 200)
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("delivered", 2)
    assert list(DeliveryAttempt.objects.filter(notification=n).values_list("status", flat=True)) == ["retry", "delivered"]
    assert delivery_attempt(notification_id=n.pk) is None  # delivered: never sent again
    assert len(receiver.requests) == 2


def test_webhook_400_is_not_retried(world, receiver_factory):
    receiver = receiver_factory([400])
    channel = webhook(world, receiver.url)
    raise_alert(world)
    n = the_notification(channel)
    attempt = delivery_attempt(notification_id=n.pk)
    assert (attempt.status, attempt.response_code) == ("failed", 400)
    n.refresh_from_db()
    assert n.status == "failed"
    assert deliveries_due() == []
    assert DeliveryAttempt.objects.filter(notification=n).count() == 1
    assert len(receiver.requests) == 1


def test_connection_refused_backs_off_exponentially(world, settings):
    channel = webhook(world, "http://127.0.0.1:9/closed")
    raise_alert(world)
    n = the_notification(channel)
    attempt = delivery_attempt(notification_id=n.pk)
    assert attempt.status == "retry" and attempt.response_code is None
    assert "ConnectionError" in attempt.error
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    assert [backoff_seconds(i) for i in (1, 2, 3)] == [base, 2 * base, 4 * base]
    assert backoff_seconds(30) == settings.NOTIFICATION_RETRY_MAX_SECONDS


def test_signature_is_hmac_sha256_of_timestamp_and_body(world, receiver_factory):
    receiver = receiver_factory([200])
    channel = webhook(world, receiver.url)
    alert = raise_alert(world)
    delivery_attempt(notification_id=the_notification(channel).pk)
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(b"s3cret", headers["X-Tracker-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Tracker-Signature"] == f"sha256={expected}"
    assert abs(int(headers["X-Tracker-Timestamp"]) - timezone.now().timestamp()) < 60
    assert json.loads(body)["id"] == alert.pk


def test_a_channel_that_keeps_failing_is_disabled_and_its_owner_told(world, receiver_factory, settings):
    settings.CHANNEL_DISABLE_AFTER_FAILURES = 2
    receiver = receiver_factory([410])
    channel = webhook(world, receiver.url)
    for i in range(2):
        raise_alert(world, key=f"k{i}")
        delivery_attempt(notification_id=Notification.objects.get(channel=channel, alert__dedup_key=f"k{i}").pk)
    channel.refresh_from_db()
    assert channel.is_active is False and channel.disabled_at is not None
    notice = Alert.objects.get(kind="channel_disabled")
    assert notice.owner == world.supervisor
    assert list(Notification.objects.filter(alert=notice).values_list("user__username", "channel")) == [("supervisor", None)]
    # A disabled channel gets no new notifications.
    raise_alert(world, key="k-after")
    assert not Notification.objects.filter(channel=channel, alert__dedup_key="k-after").exists()


def test_email_through_django_mail_backend(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = Channel.objects.create(owner=world.supervisor, kind="email", name="Desk", target="desk@example.test")
    raise_alert(world)
    attempt = delivery_attempt(notification_id=the_notification(channel).pk)
    assert attempt.status == "delivered"
    [message] = mail.outbox
    assert message.to == ["desk@example.test"]
    ref, code = world.agreement.reference, world.dataset.code
    assert message.subject == f"[警告] 协议 {ref} 下 {code} 的使用超出配额 / [Warning] Quota exceeded for {code} under {ref}"


def test_email_reminder_says_so_in_both_languages(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = Channel.objects.create(owner=world.supervisor, kind="email", name="Desk", target="desk@example.test")
    alert = raise_alert(world)
    notify(alert=alert, user_ids=[world.supervisor.pk], reason="reminder:1")
    reminder = Notification.objects.get(channel=channel, reason="reminder:1")
    assert delivery_attempt(notification_id=reminder.pk).status == "delivered"
    [message] = mail.outbox
    assert message.subject.startswith("提醒：[警告] 协议 ")
    assert " / Reminder: [Warning] Quota exceeded for " in message.subject
    assert reminder.subject == "Reminder: [warning] Quota exceeded"  # the inbox keeps the stored text


def test_send_test_records_one_attempt(world, receiver_factory, client_for):
    receiver = receiver_factory([503])
    channel = webhook(world, receiver.url)
    n = channel_send_test(actor=actor_for(world.supervisor), channel=channel)
    assert (n.status, n.attempts) == ("failed", 1)
    channel.refresh_from_db()
    assert channel.consecutive_failures == 0  # a test does not count toward disabling
    receiver.statuses = [204]
    response = client_for(world.supervisor).post(f"/api/v1/channels/{channel.pk}/send-test/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "delivered"
    assert [a["response_code"] for a in body["attempts"]] == [204]
    assert client_for(world.partner).post(f"/api/v1/channels/{channel.pk}/send-test/").status_code == 404
