"""Escalation and reminders at their edges: jurisdiction, lost access, late silences,
alerts raised during a silence, absurd policy values and daily jobs run twice."""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from contracts.services.permissions import permission_change
from notifications.models import Alert, EscalationPolicy, Notification
from notifications.services.alerts import alert_raise
from notifications.services.checks import duties_check
from notifications.services.escalation import alerts_escalate, alerts_remind
from notifications.services.expiry import expiry_warnings
from notifications.services.silences import silence_create
from partnerships.actors import actor_for
from partnerships.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def raise_on(agreement, key="k", severity="warning"):
    alert, _ = alert_raise(
        kind="quota_exceeded", dedup_key=key, summary="Quota exceeded", severity=severity,
        agreement=agreement, government_id=agreement.government_id, partner_id=agreement.partner_id,
        accountable_party_id=agreement.partner_id,
    )  # fmt: skip
    return alert


def told(alert, reason) -> set[str]:
    return set(Notification.objects.filter(alert=alert, reason=reason).values_list("user__username", flat=True))


# 1. Escalation stays inside the jurisdiction -------------------------------------------------


def test_escalation_tells_only_recipients_who_may_see_the_alert(world):
    chief = f.user("chief", (world.supervision_office, "supervisor"))  # province 33
    policy = EscalationPolicy.objects.create(name="Chiefs", severity="warning", level=1, delay_minutes=0)
    policy.recipients.set([chief, world.admin])
    far = raise_on(world.far_agreement, key="far")  # province 32
    near = raise_on(world.agreement, key="near")  # province 33

    assert alerts_escalate(now=timezone.now() + MINUTE) == 2

    assert told(far, "escalation:1") == {"admin"}  # the chief of province 33 hears nothing of province 32
    assert told(near, "escalation:1") == {"admin", "chief"}
    assert not Notification.objects.filter(user=chief, alert=far).exists()  # no inbox row, no channel row


# 2. Reminders only to those who still have access ------------------------------------------


def test_reminders_skip_people_who_lost_access(world, settings):
    settings.ALERT_REMINDER_MINUTES = 60
    f.user("deputy", (world.supervision_office, "supervisor"))
    alert = raise_on(world.agreement)
    assert told(alert, "raised") == {"supervisor", "deputy", "partner"}
    # The supervisor moves to the neighbouring province; the partner's account is closed.
    Membership.objects.filter(user=world.supervisor).delete()
    far_office = f.organization("邻省监督处 Far Supervision Office", "regulator", "320000")
    Membership.objects.create(user=world.supervisor, organization=far_office, role="supervisor")
    type(world.partner).objects.filter(pk=world.partner.pk).update(is_active=False)

    assert alerts_remind(now=timezone.now() + 61 * MINUTE) == 1

    assert told(alert, "reminder:1") == {"deputy"}  # the unchanged supervisor is still reminded
    assert not Notification.objects.filter(user=world.supervisor, reason__startswith="reminder").exists()


# 3. A silence created after the alert -------------------------------------------------------


def test_a_later_silence_holds_reminders_and_escalation_until_it_ends(world, settings):
    settings.ALERT_REMINDER_MINUTES = 60
    EscalationPolicy.objects.create(name="Chief", severity="warning", level=1, delay_minutes=0).recipients.set(
        [world.supervisor]
    )
    alert = raise_on(world.agreement)
    assert alert.silenced_by is None
    ends = timezone.now() + datetime.timedelta(days=2)
    silence_create(
        actor=actor_for(world.supervisor), matchers={"agreement": world.agreement.pk}, ends_at=ends, reason="Reload"
    )

    assert alerts_remind(now=timezone.now() + 61 * MINUTE) == 0
    assert alerts_escalate(now=timezone.now() + 61 * MINUTE) == 0
    assert not Notification.objects.filter(alert=alert).exclude(reason="raised").exists()
    alert.refresh_from_db()
    assert (alert.reminders_sent, alert.escalation_level) == (0, 0)

    after = ends + MINUTE
    assert alerts_remind(now=after) == 1
    assert told(alert, "reminder:1") == {"supervisor", "partner"}
    assert alerts_escalate(now=after) == 1
    assert told(alert, "escalation:1") == {"supervisor"}


# 4. An alert raised during a silence --------------------------------------------------------


def test_an_alert_raised_during_a_silence_is_announced_once_the_silence_ends(world, settings):
    settings.ALERT_REMINDER_MINUTES = 60
    EscalationPolicy.objects.create(name="Chief", severity="warning", level=1, delay_minutes=0).recipients.set(
        [world.supervisor]
    )
    silence_create(
        actor=actor_for(world.supervisor), matchers={"agreement": world.agreement.pk},
        ends_at=timezone.now() + datetime.timedelta(hours=1), reason="Planned bulk reload",
    )  # fmt: skip
    alert = raise_on(world.agreement)
    assert alert.silenced_by is not None
    assert alerts_remind(now=timezone.now() + 30 * MINUTE) == 0  # still silenced
    assert not Notification.objects.filter(alert=alert).exists()

    later = timezone.now() + datetime.timedelta(days=3)
    assert alerts_escalate(now=later) == 0  # the first recipients hear of it before the next level does
    assert alerts_remind(now=later) == 1

    assert told(alert, "raised") == {"supervisor", "partner"}
    alert.refresh_from_db()
    assert (alert.last_notified_at, alert.reminders_sent) == (later, 0)
    count = Notification.objects.filter(alert=alert).count()
    assert alerts_remind(now=later) == 0  # the next run sends nothing twice
    assert alerts_remind(now=later + MINUTE) == 0
    assert Notification.objects.filter(alert=alert).count() == count
    assert alerts_escalate(now=later + MINUTE) == 1


# 5. Absurd policy values ---------------------------------------------------------------------


def test_the_api_refuses_a_delay_or_level_beyond_the_limits(world, client_for):
    admin = client_for(world.admin)
    payload = {"name": "Later", "severity": "warning", "level": 1, "delay_minutes": 2_000_000_000}
    payload["recipients"] = [world.supervisor.pk]
    response = admin.post("/api/v1/escalation-policies/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["delay_minutes"]
    response = admin.post("/api/v1/escalation-policies/", payload | {"level": 11, "delay_minutes": 60}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["level"]
    assert not EscalationPolicy.objects.exists()
    response = admin.post(
        "/api/v1/escalation-policies/", payload | {"level": 10, "delay_minutes": 525_600}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["level"], response.json()["delay_minutes"]) == (10, 525_600)


@pytest.mark.parametrize("field", ["level", "delay_minutes"])
def test_the_escalation_page_shows_a_form_error_for_a_huge_number(world, field):
    client = Client(raise_request_exception=False)
    client.force_login(world.admin)
    data = {
        "name": "Huge",
        "severity": "critical",
        "level": "1",
        "delay_minutes": "30",
        "recipients": [world.supervisor.pk],
    }
    response = client.post("/escalation/", data | {field: "3000000000"})
    assert response.status_code == 400  # the page answers invalid forms with 400, never a 500
    assert list(response.context["form"].errors) == [field]
    assert not EscalationPolicy.objects.exists()


def test_a_stored_huge_delay_stops_neither_other_policies_nor_reminders(world, settings):
    settings.ALERT_REMINDER_MINUTES = 60
    # Ordered by severity then level, this one runs first.
    EscalationPolicy.objects.create(
        name="Never", severity="critical", level=1, delay_minutes=2_000_000_000
    ).recipients.set([world.supervisor])
    EscalationPolicy.objects.create(name="Chief", severity="warning", level=1, delay_minutes=0).recipients.set(
        [world.supervisor]
    )
    critical = raise_on(world.agreement, key="critical", severity="critical")
    warning = raise_on(world.agreement, key="warning")

    assert alerts_escalate(now=timezone.now() + MINUTE) == 1

    assert told(warning, "escalation:1") == {"supervisor"}
    assert not Notification.objects.filter(alert=critical, reason__startswith="escalation").exists()


def test_reminders_go_out_when_escalation_fails(world, settings):
    from notifications.tasks import escalate_alerts

    settings.ALERT_REMINDER_MINUTES = 60
    alert = raise_on(world.agreement)
    Alert.objects.filter(pk=alert.pk).update(last_notified_at=timezone.now() - datetime.timedelta(hours=2))
    with mock.patch("notifications.services.escalation.alerts_escalate", side_effect=RuntimeError("broken policy")):
        with pytest.raises(RuntimeError, match="broken policy"):  # still reported, after the reminders
            escalate_alerts()
    assert told(alert, "reminder:1") == {"supervisor", "partner"}


# 6. Daily jobs run twice ---------------------------------------------------------------------


def next_day():
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=1))


def test_the_expiry_job_run_twice_a_day_counts_one_occurrence(world):
    today = timezone.localdate()
    ends = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=20), datetime.time(12)))
    permission_change(actor=actor_for(world.officer), permission=world.permission, reason="Shorten", valid_until=ends)
    assert expiry_warnings(today=today) == 1
    assert expiry_warnings(today=today) == 0  # a redelivered message
    warning = Alert.objects.get(kind="permission_expiring")
    assert warning.occurrences == 1

    tomorrow = today + datetime.timedelta(days=1)
    with next_day():
        assert expiry_warnings(today=tomorrow) == 0
        assert expiry_warnings(today=tomorrow) == 0
    warning.refresh_from_db()
    assert warning.occurrences == 2
    assert Alert.objects.filter(kind="permission_expiring").count() == 1


def test_the_duties_check_run_twice_a_day_counts_one_occurrence(world):
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=70)).replace(day=1)  # two full months ago, at least
    traffic = f.dataset("TRAFFIC", world.bureau)
    f.grant(
        world.officer, world.agreement, traffic,
        valid_from=timezone.make_aware(datetime.datetime.combine(start, datetime.time())),
        valid_until=timezone.now() + datetime.timedelta(days=365),
    )  # fmt: skip
    duties_check(today=today)
    duties_check(today=today)
    missing = Alert.objects.filter(kind="declaration_missing", dataset=traffic)
    assert missing.exists()
    assert set(missing.values_list("occurrences", flat=True)) == {1}
    with next_day():
        duties_check(today=today + datetime.timedelta(days=1))
        duties_check(today=today + datetime.timedelta(days=1))
    assert set(missing.values_list("occurrences", flat=True)) == {2}
