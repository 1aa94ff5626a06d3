"""Reliability with a real worker process on real Redis (not eager mode).

Nothing missed, nothing twice: a worker killed mid-check, a task delivered twice,
a rolled-back transaction, a broker down while a declaration is submitted, and a
webhook receiver that fails.
"""

import time

import psycopg
import pytest
from django.db import connection, transaction

from contracts.models import UsageDeclaration
from contracts.scope.declarations import check_declaration
from notifications.models import Alert, Channel, DeliveryAttempt, Notification, TaskRun
from partnerships.publish import publish_now, publish_on_commit
from tests import factories as f
from tests.celery.harness import database_url, point_app_at, queued, wait_for
from tests.notifications.builders import declaration, last_month
from tests.notifications.fast import fast_passwords  # noqa: F401
from tests.notifications.receiver import Receiver

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

CHECK = "notifications.check_declaration"
SWEEP = "notifications.sweep_pending_declarations"
SCOPE_KINDS = ["action_not_permitted", "purpose_not_permitted", "quota_exceeded", "recipient_not_approved"]


@pytest.fixture
def receiver():
    r = Receiver([200])
    yield r
    r.close()


def out_of_scope(world):
    stranger = f.organization("Data broker", "enterprise", "330100")
    return declaration(
        world.agreement, world.dataset, world.partner,
        purpose="Marketing", actions=["read", "sell"], record_count=50_000, recipients=[stranger],
    )  # fmt: skip


def checked(pk):
    return UsageDeclaration.objects.filter(pk=pk, status="checked").exists()


def scope_alerts():
    return Alert.objects.filter(kind__in=SCOPE_KINDS)


def assert_one_alert_per_kind():
    assert sorted(scope_alerts().values_list("kind", flat=True)) == SCOPE_KINDS
    assert set(scope_alerts().values_list("occurrences", flat=True)) == {1}
    assert Alert.objects.filter(kind="responsibility_gap").count() == 1


def test_worker_killed_mid_check_gives_one_alert_and_one_delivery_per_recipient(world, start_worker, receiver):
    channel = Channel.objects.create(owner=world.supervisor, kind="webhook", name="SOC", target=receiver.url, secret="k")
    d = out_of_scope(world)
    purpose_key = next(x.dedup_key for x in check_declaration(d) if x.kind == "purpose_not_permitted")

    # Hold the purpose alert's key in an open transaction: the worker's insert waits on it,
    # mid-check, with the other alerts of the declaration already written but not committed.
    blocker = psycopg.connect(database_url().replace("postgres://", "postgresql://"))
    blocker.execute(
        """INSERT INTO notifications_alert (dedup_key, kind, severity, status, area, interval, summary, rule,
               evidence, first_seen, last_seen, occurrences, escalation_level, reminders_sent)
           VALUES (%s, 'purpose_not_permitted', 'warning', 'open', '', '', 'blocker', '', '{}', now(), now(), 1, 0, 0)""",
        [purpose_key],
    )
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"

    def blocked():
        with connection.cursor() as cursor:
            cursor.execute(waiting, [connection.settings_dict["NAME"]])
            return cursor.fetchone()[0] > 0

    try:
        worker = start_worker(CELERY_VISIBILITY_TIMEOUT=3)
        publish_now(CHECK, d.pk, task_id="check-killed")
        wait_for(blocked, timeout=30, what="the check to block mid-transaction")
        worker.kill()
    finally:
        # Never leave the lock held: the database flush after the test would wait on it forever.
        blocker.rollback()
        blocker.close()
    time.sleep(1)
    assert not checked(d.pk)
    assert not Alert.objects.exists()  # the killed check's writes were rolled back

    worker.start()  # the same worker, restarted: the unacknowledged message comes back
    wait_for(lambda: checked(d.pk), timeout=60, what="the redelivered check")
    wait_for(lambda: TaskRun.objects.filter(task_id="check-killed", status="done").exists(), timeout=30, what="done")
    assert TaskRun.objects.get(task_id="check-killed").deliveries == 2
    assert_one_alert_per_kind()

    alerts = Alert.objects.count()
    wait_for(
        lambda: Notification.objects.filter(channel=channel, status="delivered").count() == alerts,
        timeout=30, what="webhook deliveries",
    )  # fmt: skip
    time.sleep(4)  # longer than the visibility timeout: anything redelivered again would show now
    for alert in Alert.objects.all():
        inbox = sorted(Notification.objects.filter(alert=alert, channel=None).values_list("user__username", flat=True))
        assert inbox == ["partner", "supervisor"]
        assert Notification.objects.filter(alert=alert, channel=channel).count() == 1
    assert len(receiver.requests) == alerts
    assert len({r["headers"]["X-Tracker-Delivery"] for r in receiver.requests}) == alerts


def test_the_same_task_delivered_twice_gives_one_alert(world, start_worker):
    d = out_of_scope(world)
    start_worker()
    publish_now(CHECK, d.pk, task_id="check-twice")
    publish_now(CHECK, d.pk, task_id="check-twice")
    wait_for(lambda: checked(d.pk), timeout=60, what="the check")
    wait_for(
        lambda: TaskRun.objects.filter(task_id="check-twice", deliveries=2, status="done").exists(),
        timeout=60, what="both deliveries",
    )  # fmt: skip
    time.sleep(1)
    assert_one_alert_per_kind()


def test_a_rolled_back_transaction_publishes_no_task_and_raises_no_alert(world, start_worker):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            d = out_of_scope(world)
            publish_on_commit(CHECK, d.pk)
            raise RuntimeError("the request failed after the declaration was written")
    assert queued("checks") == 0
    assert not UsageDeclaration.objects.exists()
    start_worker()
    publish_now(SWEEP, task_id="sweep-after-rollback")
    wait_for(lambda: TaskRun.objects.filter(task_id="sweep-after-rollback", status="done").exists(), timeout=60, what="sweep")
    assert not Alert.objects.exists()


def test_broker_down_at_submission_then_the_sweeper_raises_the_alert(world, start_worker, broker, client_for):
    stranger = f.organization("Data broker", "enterprise", "330100")
    start, end = last_month()
    body = {
        "agreement": world.agreement.reference, "dataset": world.dataset.code,
        "period_start": start.isoformat(), "period_end": end.isoformat(), "purpose": "Marketing",
        "actions": ["read", "sell"], "record_count": 50_000, "recipients": [stranger.pk],
    }  # fmt: skip
    point_app_at("redis://127.0.0.1:1/0")  # nothing listens there: every publish fails
    started = time.monotonic()
    response = client_for(world.partner).post("/api/v1/declarations/", body, format="json")
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 5  # the failed publish gives up at once
    d = UsageDeclaration.objects.get(pk=response.json()["id"])
    assert d.status == "pending"
    assert not Alert.objects.exists()
    point_app_at(broker)  # the broker is back
    assert queued("checks") == 0
    start_worker()
    publish_now(SWEEP)
    wait_for(lambda: checked(d.pk), timeout=60, what="the swept check")
    supervisor = client_for(world.supervisor)
    kinds = sorted(a["kind"] for a in supervisor.get("/api/v1/alerts/").json()["results"] if a["kind"] in SCOPE_KINDS)
    assert kinds == SCOPE_KINDS


@pytest.mark.parametrize(
    "statuses, attempts, final",
    [([500, 200], [("retry", 500), ("delivered", 200)], "delivered"), ([400], [("failed", 400)], "failed")],
)
def test_webhook_receiver_failing(world, start_worker, statuses, attempts, final):
    receiver = Receiver(statuses)
    try:
        channel = Channel.objects.create(owner=world.supervisor, kind="webhook", name="SOC", target=receiver.url, secret="k")
        f.assign(world.officer, world.agreement, "data_security", world.partner_org)  # no gap alert: one message
        d = declaration(world.agreement, world.dataset, world.partner, purpose="Marketing")
        start_worker()
        publish_now(CHECK, d.pk)
        notification = wait_for(
            lambda: Notification.objects.filter(channel=channel, alert__kind="purpose_not_permitted", status=final).first(),
            timeout=60, what=f"the webhook notification to be {final}",
        )  # fmt: skip
        time.sleep(3)  # a retry (1 s backoff) would have happened by now
        rows = DeliveryAttempt.objects.filter(notification=notification).order_by("number")
        assert [(a.status, a.response_code) for a in rows] == attempts
        assert len(receiver.requests) == len(attempts)
    finally:
        receiver.close()
