"""Inbox, silences, channels and escalation policies through the API."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Channel, Notification, Silence
from notifications.services.alerts import alert_raise
from tests.notifications.fast import fast_passwords  # noqa: F401

pytestmark = pytest.mark.django_db


def raise_alert(world, key="k"):
    alert, _ = alert_raise(
        kind="quota_exceeded", dedup_key=key, summary="Quota exceeded", severity="warning",
        agreement=world.agreement, dataset=world.dataset, government_id=world.bureau.pk,
        partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk,
    )  # fmt: skip
    return alert


def test_inbox_is_the_requesting_users_own(world, client_for):
    alert = raise_alert(world)
    supervisor = client_for(world.supervisor)
    body = supervisor.get("/api/v1/notifications/").json()
    assert body["count"] == 1
    [item] = body["results"]
    assert (item["alert"], item["read"], item["reason"]) == (alert.pk, False, "raised")
    assert client_for(world.other_partner).get("/api/v1/notifications/").json()["count"] == 0
    assert client_for(world.other_partner).post(f"/api/v1/notifications/{item['id']}/read/").status_code == 404
    assert supervisor.post(f"/api/v1/notifications/{item['id']}/read/").json()["read"] is True
    assert supervisor.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    partner = client_for(world.partner)
    assert partner.post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_silences_api(world, client_for):
    ends = (timezone.now() + datetime.timedelta(hours=4)).isoformat()
    supervisor = client_for(world.supervisor)
    response = supervisor.post(
        "/api/v1/silences/", {"matchers": {"kind": "quota_exceeded"}, "ends_at": ends, "reason": "Maintenance"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == "supervisor"
    assert response.json()["region_prefix"] == "33"
    missing = supervisor.post("/api/v1/silences/", {"matchers": {"kind": "quota_exceeded"}}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"ends_at", "reason"}
    partner = client_for(world.partner)
    assert partner.post(
        "/api/v1/silences/", {"matchers": {"kind": "quota_exceeded"}, "ends_at": ends, "reason": "x"}, format="json"
    ).status_code == 403
    assert partner.get("/api/v1/silences/").json()["count"] == 0
    assert Silence.objects.count() == 1
    assert raise_alert(world).silenced_by_id == response.json()["id"]


def test_channels_are_their_owners(world, client_for):
    supervisor = client_for(world.supervisor)
    response = supervisor.post("/api/v1/channels/", {"kind": "webhook", "name": "SOC", "target": "https://soc.example.test/hook"})
    assert response.status_code == 201, response.content
    assert "secret" not in response.json()
    channel = Channel.objects.get()
    assert len(channel.secret) == 64  # generated when not given
    bad = supervisor.post("/api/v1/channels/", {"kind": "email", "name": "Desk", "target": "not-an-address"})
    assert bad.status_code == 400 and "target" in bad.json()
    assert client_for(world.partner).get(f"/api/v1/channels/{channel.pk}/").status_code == 404
    assert client_for(world.partner).get("/api/v1/channels/").json()["count"] == 0
    Channel.objects.filter(pk=channel.pk).update(is_active=False, disabled_at=timezone.now(), consecutive_failures=5)
    response = supervisor.patch(f"/api/v1/channels/{channel.pk}/", {"is_active": True}, format="json")
    assert response.json()["is_active"] is True
    assert response.json()["consecutive_failures"] == 0


def test_escalation_policies_are_set_by_administrators(world, client_for):
    payload = {"name": "Chief", "severity": "critical", "level": 1, "delay_minutes": 15, "recipients": [world.supervisor.pk]}
    assert client_for(world.supervisor).post("/api/v1/escalation-policies/", payload, format="json").status_code == 403
    assert client_for(world.admin).post("/api/v1/escalation-policies/", payload, format="json").status_code == 201
    again = client_for(world.admin).post("/api/v1/escalation-policies/", payload, format="json")
    assert again.status_code == 400 and "level" in again.json()
    assert client_for(world.supervisor).get("/api/v1/escalation-policies/").json()["count"] == 1
    assert client_for(world.partner).get("/api/v1/escalation-policies/").json()["count"] == 0
