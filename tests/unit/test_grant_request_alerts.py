"""Grant requests left waiting alert the supervisors; the job runs once per request, however often it runs."""

import datetime

import pytest

from contracts.services.grant_requests import grant_request_approve, grant_request_submit
from notifications.models import Alert, Notification
from notifications.services.grant_requests import grant_requests_overdue_alert
from partnerships.actors import actor_for
from partnerships.celery import app

T0 = datetime.datetime(2027, 3, 1, 2, 0, tzinfo=datetime.timezone.utc)


def ask(world, dataset, at):
    return grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="new",
        dataset=dataset,
        actions=["read"],
        purposes=["ServiceProvision"],
        valid_from=at,
        justification="Needed",
        at=at,
    )


@pytest.mark.django_db
def test_a_request_waiting_past_the_limit_alerts_the_supervisors_once(world, settings):
    settings.GRANT_REQUEST_OVERDUE_DAYS = 10
    waiting = ask(world, world.personal_dataset, T0)
    now = T0 + datetime.timedelta(days=10, hours=1)

    assert grant_requests_overdue_alert(now=now - datetime.timedelta(hours=2)) == 0  # not yet ten days
    assert grant_requests_overdue_alert(now=now) == 1
    assert grant_requests_overdue_alert(now=now + datetime.timedelta(days=1)) == 0  # claimed: no repeat

    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.status, alert.occurrences) == ("grant_request_overdue", "warning", "open", 1)
    assert (alert.agreement_id, alert.dataset_id, alert.government_id, alert.accountable_party_id) == (
        world.agreement.pk,
        world.personal_dataset.pk,
        world.bureau.pk,
        world.bureau.pk,
    )
    assert alert.evidence["grant_request"] == waiting.pk
    assert alert.observed == {"waiting_days": 10}
    told = set(Notification.objects.filter(alert=alert, channel__isnull=True).values_list("user_id", flat=True))
    assert world.supervisor.pk in told
    assert world.officer.pk in told
    assert world.partner.pk not in told
    waiting.refresh_from_db()
    assert waiting.overdue_alerted_at == now


@pytest.mark.django_db
def test_decided_requests_do_not_alert(world, settings):
    settings.GRANT_REQUEST_OVERDUE_DAYS = 3
    decided = ask(world, world.personal_dataset, T0)
    grant_request_approve(actor=actor_for(world.officer), grant_request=decided, at=T0 + datetime.timedelta(days=5))
    assert grant_requests_overdue_alert(now=T0 + datetime.timedelta(days=6)) == 0
    assert not Alert.objects.exists()


def test_the_overdue_job_is_scheduled():
    entry = app.conf.beat_schedule["alert-overdue-grant-requests"]
    assert entry["task"] == "notifications.alert_overdue_grant_requests"
    import notifications.tasks  # noqa: F401  (registers the task)

    assert "notifications.alert_overdue_grant_requests" in app.tasks
