"""Edges of channels, deliveries and silences: webhooks that point inside the network,
channels turned off, disabled twice or deleted, and silences naming things by code,
spanning two provinces, or starting in the year 1."""

import datetime
import http.server
import socket
import threading

import pytest
from django.db.models import RestrictedError
from django.test import Client
from django.utils import timezone

from notifications.models import Alert, AlertEvent, Channel, DeliveryAttempt, Notification, Silence
from notifications.services.alerts import alert_acknowledge, alert_raise
from notifications.services.channels import channel_create, channel_update
from notifications.services.deliveries import deliveries_due, delivery_attempt
from partnerships.actors import actor_for
from partnerships.models import AuditEntry
from tests import factories as f
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db

REFUSED = "Webhooks may only go to public addresses: this one is in a private, loopback or otherwise reserved network."
OUT_OF_RANGE = "Give a time between the years 2000 and 2199."
LOOPBACK = ["127.0.0.0/8"]


@pytest.fixture
def receiver():
    r = Receiver([200])
    yield r
    r.close()


class TalkativeReceiver:
    """Answers 500 with a body and a reason phrase an attacker would want to read back."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append(dict(self.headers))
                payload = b"db-password=hunter2"
                self.send_response(500, "Leaked hunter2")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def fake_dns(monkeypatch, host: str, *answers: str):
    """``host`` resolves to each of ``answers`` in turn (the last one repeats); other names as usual."""
    real = socket.getaddrinfo
    queue = list(answers)

    def getaddrinfo(name, port, *args, **kwargs):
        if name != host:
            return real(name, port, *args, **kwargs)
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def raise_alert(world, key="quota_exceeded:edge", agreement=None, government=None):
    agreement = agreement if agreement is not None else world.agreement
    alert, _ = alert_raise(
        kind="quota_exceeded", dedup_key=key, summary="Quota exceeded", severity="warning",
        agreement=agreement, dataset=world.dataset, government_id=(government or agreement.government).pk,
        partner_id=agreement.partner_id, accountable_party_id=agreement.partner_id,
    )  # fmt: skip
    return alert


def webhook(owner, url):
    return Channel.objects.create(owner=owner, kind="webhook", name="SOC", target=url, secret="s3cret")


# --- 1. webhooks that point inside the network ----------------------------------------------


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "169.254.169.254", "[::1]", "0.0.0.0", "224.0.0.1", "100.64.0.1"]
)
def test_a_partner_cannot_point_a_webhook_inside_the_network(world, client_for, host):
    payload = {"kind": "webhook", "name": "Probe", "target": f"http://{host}:8080/hook"}
    response = client_for(world.partner).post("/api/v1/channels/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"target": [REFUSED]}
    assert not Channel.objects.exists()


def test_the_allow_list_lets_an_on_premise_receiver_in(world, client_for, settings, receiver):
    partner = client_for(world.partner)
    payload = {"kind": "webhook", "name": "On premise", "target": receiver.url}
    assert settings.WEBHOOK_ALLOWED_NETWORKS == []
    assert partner.post("/api/v1/channels/", payload, format="json").status_code == 400
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    response = partner.post("/api/v1/channels/", payload, format="json")
    assert response.status_code == 201, response.content
    assert list(Channel.objects.values_list("owner__username", "target")) == [("partner", receiver.url)]


def test_changing_a_webhook_to_an_internal_address_is_refused(world, client_for, monkeypatch):
    fake_dns(monkeypatch, "hooks.partner.test", "93.184.216.34")
    channel = channel_create(actor=actor_for(world.partner), kind="webhook", name="Hook", target="https://hooks.partner.test/in")
    response = client_for(world.partner).patch(
        f"/api/v1/channels/{channel.pk}/", {"target": "http://169.254.169.254/latest/meta-data/"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"target": [REFUSED]}
    channel.refresh_from_db()
    assert channel.target == "https://hooks.partner.test/in"


def test_the_address_is_checked_again_at_send_time_and_is_the_one_connected_to(world, receiver, monkeypatch, settings):
    port = receiver.url.split(":")[2].split("/")[0]
    fake_dns(monkeypatch, "hooks.partner.test", "93.184.216.34", "127.0.0.1")  # public when saved, loopback after
    channel = channel_create(
        actor=actor_for(world.supervisor), kind="webhook", name="Hook", target=f"http://hooks.partner.test:{port}/hook"
    )
    raise_alert(world)
    notification = Notification.objects.get(channel=channel)
    attempt = delivery_attempt(notification_id=notification.pk)
    assert (attempt.status, attempt.response_code, attempt.error) == (
        "failed", None, "address refused: the host resolves to a non-public address"
    )  # fmt: skip
    notification.refresh_from_db()
    assert notification.status == "failed"
    assert receiver.requests == []  # refused without connecting

    # Allowed when checked; a second lookup (by the HTTP library) would get an address nobody listens on.
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    fake_dns(monkeypatch, "hooks.partner.test", "127.0.0.1", "10.255.255.1")
    raise_alert(world, key="allowed")
    attempt = delivery_attempt(notification_id=Notification.objects.get(channel=channel, alert__dedup_key="allowed").pk)
    assert (attempt.status, attempt.response_code) == ("delivered", 200)
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"hooks.partner.test:{port}"


def test_send_test_never_shows_the_receivers_answer(world, client_for, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    talkative = TalkativeReceiver()
    try:
        partner = client_for(world.partner)
        created = partner.post("/api/v1/channels/", {"kind": "webhook", "name": "Hook", "target": talkative.url}, format="json")
        response = partner.post(f"/api/v1/channels/{created.json()['id']}/send-test/")
    finally:
        talkative.close()
    assert response.status_code == 200
    body = response.json()
    assert body["last_error"] == "HTTP 500 Internal Server Error"
    assert [(a["status"], a["response_code"], a["error"]) for a in body["attempts"]] == [
        ("failed", 500, "HTTP 500 Internal Server Error")
    ]
    assert "hunter2" not in response.content.decode()
    assert not DeliveryAttempt.objects.filter(error__contains="hunter2").exists()
    assert len(talkative.requests) == 1


# --- 2. a channel its owner turned off ----------------------------------------------------------


def test_a_channel_its_owner_turned_off_receives_nothing(world, receiver, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    settings.CHANNEL_DISABLE_AFTER_FAILURES = 1  # were the skipped send counted, this would disable the channel
    channel = webhook(world.supervisor, receiver.url)
    raise_alert(world)
    notification = Notification.objects.get(channel=channel)
    channel_update(actor=actor_for(world.supervisor), channel=channel, is_active=False)
    attempt = delivery_attempt(notification_id=notification.pk)
    assert (attempt.status, attempt.response_code, attempt.error) == ("failed", None, "channel turned off, disabled or deleted")
    notification.refresh_from_db()
    assert notification.status == "failed"
    assert deliveries_due() == []
    assert receiver.requests == []
    channel.refresh_from_db()
    assert (channel.is_active, channel.consecutive_failures, channel.disabled_at) == (False, 0, None)
    assert not Alert.objects.filter(kind="channel_disabled").exists()


# --- 3. a channel disabled a second time ----------------------------------------------------------


def test_a_channel_disabled_twice_tells_its_owner_twice(world, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    settings.CHANNEL_DISABLE_AFTER_FAILURES = 1
    owner = actor_for(world.supervisor)
    gone = Receiver([410])
    try:
        channel = webhook(world.supervisor, gone.url)
        raise_alert(world, key="k0")
        delivery_attempt(notification_id=Notification.objects.get(channel=channel, alert__dedup_key="k0").pk)
        first = Alert.objects.get(kind="channel_disabled")
        alert_acknowledge(actor=owner, alert=first, comment="Looking into it")
        channel_update(actor=owner, channel=channel, name="SOC desk")  # not re-enabled yet: the alert stays
        first.refresh_from_db()
        assert first.status == "acknowledged"
        channel_update(actor=owner, channel=channel, is_active=True)
        first.refresh_from_db()
        assert first.status == "resolved"
        last = AlertEvent.objects.filter(alert=first).last()
        assert (last.action, last.from_status, last.to_status, last.actor) == ("resolved", "acknowledged", "resolved", None)
        raise_alert(world, key="k1")
        delivery_attempt(notification_id=Notification.objects.get(channel=channel, alert__dedup_key="k1").pk)
    finally:
        gone.close()
    alerts = Alert.objects.filter(kind="channel_disabled").order_by("pk")
    assert list(alerts.values_list("status", "occurrences")) == [("resolved", 1), ("open", 1)]
    second = alerts.last()
    assert list(Notification.objects.filter(alert=second).values_list("user__username", "channel", "reason")) == [
        ("supervisor", None, "raised")
    ]


# --- 4. deleting a channel ------------------------------------------------------------------------


def test_deleting_a_channel_keeps_each_alert_once_in_the_inbox(world, client_for):
    channel = webhook(world.supervisor, "https://hooks.partner.test/in")
    alert = raise_alert(world)
    pending = Notification.objects.get(channel=channel)
    supervisor = client_for(world.supervisor)
    assert client_for(world.partner).delete(f"/api/v1/channels/{channel.pk}/").status_code == 404
    response = supervisor.delete(f"/api/v1/channels/{channel.pk}/")
    assert response.status_code == 204
    inbox = supervisor.get("/api/v1/notifications/").json()
    assert [(n["alert"], n["reason"]) for n in inbox["results"]] == [(alert.pk, "raised")]
    pending.refresh_from_db()
    assert (pending.status, pending.last_error) == ("failed", "channel deleted")
    assert deliveries_due() == []
    assert supervisor.get(f"/api/v1/channels/{channel.pk}/").status_code == 404
    assert supervisor.get("/api/v1/channels/").json()["count"] == 0
    entry = AuditEntry.objects.get(action="channel.delete")
    assert (entry.actor_username, entry.object_id) == ("supervisor", str(channel.pk))
    assert (entry.before, entry.after) == (
        {"name": "SOC", "target": "https://hooks.partner.test/in", "is_active": True},
        {"deleted": True, "notifications_ended": 1},
    )
    later = raise_alert(world, key="later")
    assert list(Notification.objects.filter(alert=later, user=world.supervisor).values_list("channel", flat=True)) == [None]
    # Its messages keep their channel: a plain delete that would turn them into inbox rows is refused.
    with pytest.raises(RestrictedError):
        Channel.objects.get(pk=channel.pk).delete()


# --- 5. silences ----------------------------------------------------------------------------------


def ends() -> str:
    return (timezone.now() + datetime.timedelta(hours=4)).isoformat()


def silence_post(client, matchers, **extra):
    payload = {"matchers": matchers, "ends_at": ends(), "reason": "Planned migration"} | extra
    return client.post("/api/v1/silences/", payload, format="json")


def test_a_silence_names_agreement_dataset_and_partner_by_id_or_code(world, client_for):
    supervisor = client_for(world.supervisor)
    matchers = {"agreement": "ZJ-BOT-001", "dataset": "POP-STATS", "partner": world.partner_org.credit_code}
    response = silence_post(supervisor, matchers)
    assert response.status_code == 201, response.content
    assert response.json()["matchers"] == {
        "agreement": str(world.agreement.pk), "dataset": str(world.dataset.pk), "partner": str(world.partner_org.pk)
    }  # fmt: skip
    assert raise_alert(world).silenced_by_id == response.json()["id"]
    assert raise_alert(world, key="other", agreement=world.other_agreement).silenced_by_id is None
    by_id = silence_post(supervisor, {"agreement": world.other_agreement.pk})
    assert by_id.status_code == 201
    assert by_id.json()["matchers"] == {"agreement": str(world.other_agreement.pk)}


def test_unknown_or_foreign_matchers_are_refused(world, client_for):
    supervisor = client_for(world.supervisor)
    cases = [
        ({"agreement": "NOPE-404"}, "No agreement you may see has the id or reference NOPE-404."),
        ({"agreement": "JS-JV-001"}, "No agreement you may see has the id or reference JS-JV-001."),
        ({"agreement": str(world.far_agreement.pk)}, f"No agreement you may see has the id or reference {world.far_agreement.pk}."),
        ({"dataset": "NO-SUCH"}, "No dataset you may see has the id or code NO-SUCH."),
        ({"partner": "999999"}, "No partner of an agreement you may see has the id or credit code 999999."),
    ]
    for matchers, message in cases:
        response = silence_post(supervisor, matchers)
        assert (response.status_code, response.json()) == (400, {"matchers": [message]}), matchers
    assert not Silence.objects.exists()


def test_a_supervisor_of_two_provinces_silences_both_and_no_other(world, client_for):
    far_office = f.organization("邻省数据安全监督处 Far supervision", "regulator", "320000")
    both = f.user("two_provinces", (world.supervision_office, "supervisor"), (far_office, "supervisor"))
    response = silence_post(client_for(both), {"kind": "quota_exceeded"})
    assert response.status_code == 201, response.content
    assert response.json()["region_prefixes"] == ["32", "33"]
    silence_id = response.json()["id"]
    assert raise_alert(world, key="near").silenced_by_id == silence_id
    assert raise_alert(world, key="far", agreement=world.far_agreement).silenced_by_id == silence_id
    third = f.organization("上海市大数据中心 Shanghai Big Data Center", "government", "310000")
    assert raise_alert(world, key="third", government=third).silenced_by_id is None
    # Naming an agreement narrows the silence to the province that agreement is in.
    narrowed = silence_post(client_for(both), {"agreement": "JS-JV-001"})
    assert narrowed.status_code == 201
    assert narrowed.json()["region_prefixes"] == ["32"]
    # A supervisor of either province sees the silence that covers it.
    far_only = f.user("far_supervisor", (far_office, "supervisor"))
    assert {s["id"] for s in client_for(far_only).get("/api/v1/silences/").json()["results"]} == {silence_id, narrowed.json()["id"]}
    assert {s["id"] for s in client_for(world.supervisor).get("/api/v1/silences/").json()["results"]} == {silence_id}
    assert client_for(world.partner).get("/api/v1/silences/").json()["count"] == 0


@pytest.mark.parametrize(
    "field, value",
    [("starts_at", "0001-01-01T00:00:00"), ("starts_at", "1999-12-31T23:00:00Z"), ("ends_at", "9999-12-31T23:59:59")],
)
def test_a_silence_outside_sane_years_is_a_field_error(world, client_for, field, value):
    response = silence_post(client_for(world.supervisor), {"kind": "quota_exceeded"}, **{field: value})
    assert (response.status_code, response.json()) == (400, {field: [OUT_OF_RANGE]})
    assert not Silence.objects.exists()


def test_the_silence_page_refuses_the_year_one(world):
    client = Client()
    client.force_login(world.supervisor)
    later = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "quota_exceeded", "starts_at": "0001-01-01T00:00", "ends_at": later, "reason": "Planned migration"}
    response = client.post("/silences/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_at": [OUT_OF_RANGE]}
    assert not Silence.objects.exists()
