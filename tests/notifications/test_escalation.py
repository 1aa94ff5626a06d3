"""Silences, escalation, reminders, expiry warnings and the redelivery cap."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.services.permissions import permission_change
from notifications.models import Alert, AlertEvent, EscalationPolicy, Notification, TaskRun
from notifications.services.alerts import alert_raise
from notifications.services.escalation import alerts_escalate, alerts_remind
from notifications.services.expiry import expiry_warnings
from notifications.services.silences import silence_create
from partnerships.actors import actor_for
from tests import factories as f
from tests.notifications.fast import fast_passwords  # noqa: F401

pytestmark = pytest.mark.django_db


def raise_alert(world, key="k", severity="warning", kind="quota_exceeded"):
    alert, _ = alert_raise(
        kind=kind, dedup_key=key, summary="Quota exceeded", severity=severity,
        agreement=world.agreement, dataset=world.dataset, government_id=world.bureau.pk,
        partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk,
    )  # fmt: skip
    return alert


def test_silence_requires_author_reason_and_expiry(world):
    supervisor = actor_for(world.supervisor)
    with pytest.raises(ValidationError) as exc:
        silence_create(actor=supervisor, matchers={}, ends_at=None, reason=" ")
    assert set(exc.value.message_dict) == {"matchers", "ends_at", "reason"}
    with pytest.raises(PermissionDenied):
        silence_create(actor=actor_for(world.partner), matchers={"kind": "quota_exceeded"}, ends_at=timezone.now(), reason="x")


def test_silenced_alerts_are_recorded_but_not_notified(world):
    silence_create(
        actor=actor_for(world.supervisor), matchers={"kind": "quota_exceeded", "agreement": world.agreement.pk},
        ends_at=timezone.now() + datetime.timedelta(hours=2), reason="Planned bulk reload",
    )  # fmt: skip
    silenced = raise_alert(world)
    assert silenced.silenced_by is not None
    assert Notification.objects.filter(alert=silenced).count() == 0
    assert list(AlertEvent.objects.filter(alert=silenced).values_list("action", flat=True)) == ["raised", "silenced"]
    other = raise_alert(world, key="other", kind="purpose_not_permitted")
    assert other.silenced_by is None
    assert Notification.objects.filter(alert=other).count() == 2


def test_escalation_after_the_delay_once(world):
    boss = f.user("chief", (world.supervision_office, "supervisor"))
    policy = EscalationPolicy.objects.create(name="Chief", severity="warning", level=1, delay_minutes=30)
    policy.recipients.set([boss])
    alert = raise_alert(world)
    assert alerts_escalate() == 0  # not yet
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert alerts_escalate(now=later) == 1
    assert alerts_escalate(now=later) == 0  # claimed: never twice
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert Notification.objects.filter(alert=alert, reason="escalation:1").get().user == boss


def test_no_escalation_once_acknowledged(world):
    boss = f.user("chief", (world.supervision_office, "supervisor"))
    EscalationPolicy.objects.create(name="Chief", severity="warning", level=1, delay_minutes=0).recipients.set([boss])
    alert = raise_alert(world)
    Alert.objects.filter(pk=alert.pk).update(status="acknowledged")
    assert alerts_escalate(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    assert not Notification.objects.filter(reason__startswith="escalation").exists()


def test_reminders_repeat_until_acknowledged(world, settings):
    settings.ALERT_REMINDER_MINUTES = 60
    alert = raise_alert(world)
    t1 = timezone.now() + datetime.timedelta(minutes=61)
    assert alerts_remind(now=t1) == 1
    assert alerts_remind(now=t1) == 0
    assert alerts_remind(now=t1 + datetime.timedelta(minutes=61)) == 1
    assert sorted(Notification.objects.filter(alert=alert, reason="reminder:2").values_list("user__username", flat=True)) == [
        "partner",
        "supervisor",
    ]
    Alert.objects.filter(pk=alert.pk).update(status="acknowledged")
    assert alerts_remind(now=t1 + datetime.timedelta(days=1)) == 0


def test_expiry_warnings_at_30_7_and_0_days(world):
    today = timezone.localdate()
    ends = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=20), datetime.time(12)))
    permission_change(actor=actor_for(world.officer), permission=world.permission, reason="Shorten", valid_until=ends)
    assert expiry_warnings(today=today) == 1
    assert expiry_warnings(today=today) == 0  # the same threshold repeats nothing
    assert expiry_warnings(today=today + datetime.timedelta(days=14)) == 1  # 6 days left: the 7-day warning
    assert expiry_warnings(today=today + datetime.timedelta(days=20)) == 1
    warnings = Alert.objects.filter(kind="permission_expiring").order_by("id")
    assert list(warnings.values_list("interval", "severity")) == [("30d", "info"), ("7d", "warning"), ("0d", "critical")]
    recipients = set(Notification.objects.filter(alert=warnings[0]).values_list("user__username", flat=True))
    assert recipients == {"supervisor", "officer", "partner"}


def test_a_message_redelivered_too_often_becomes_a_dead_letter(world, settings):
    from notifications.tasks import check_declaration

    settings.CELERY_MAX_DELIVERIES = 2
    for _ in range(3):
        check_declaration.apply(args=[999999], task_id="fixed-task-id")
    run = TaskRun.objects.get(task_id="fixed-task-id")
    # Finished messages delivered again run again (idempotently) and are counted, never parked.
    assert (run.deliveries, run.status) == (3, "done")
    assert not Alert.objects.filter(kind="dead_letter").exists()
    TaskRun.objects.filter(pk=run.pk).update(status="running", deliveries=2)
    check_declaration.apply(args=[999999], task_id="fixed-task-id")
    run.refresh_from_db()
    assert (run.deliveries, run.status) == (3, "dead")
    dead = Alert.objects.get(kind="dead_letter")
    assert dead.severity == "critical"
    assert dead.evidence["args"] == [999999]
    assert set(Notification.objects.filter(alert=dead).values_list("user__username", flat=True)) == {"admin"}


def test_agreement_expiry_warning(world):
    today = timezone.localdate()
    ends_in_seven = today + datetime.timedelta(days=7)
    ending = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-END-7", ends_on=ends_in_seven)
    expiry_warnings(today=today)
    [warning] = Alert.objects.filter(kind="agreement_expiring", agreement=ending)
    assert (warning.interval, warning.severity) == ("7d", "warning")
    assert not Alert.objects.filter(kind="agreement_expiring", agreement=world.agreement).exists()  # ends in 5 years
    assert client_visible_to_other_partner(world, warning) is False


def client_visible_to_other_partner(world, alert):
    from notifications.selectors import alerts_visible_to

    return alerts_visible_to(actor_for(world.other_partner)).filter(pk=alert.pk).exists()
