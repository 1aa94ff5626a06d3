"""Alerts in the accountability report: open at T, and what people did about them, when."""

import datetime

import pytest

from notifications.accountability import accountability_report
from notifications.models import AlertEvent
from notifications.services.alerts import alert_acknowledge, alert_raise, alert_resolve
from partnerships.actors import actor_for

TICK = datetime.timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def raise_alert(world, key, kind="quota_exceeded"):
    alert, created = alert_raise(
        kind=kind, dedup_key=key, summary=f"{kind} on POP-STATS", severity="warning", agreement=world.agreement,
        dataset=world.dataset, permission=world.permission, permission_version=1,
        government_id=world.bureau.pk, partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk,
        area="data_security",
    )
    assert created
    return alert


def alerts_at(world, at):
    return [(a["id"], a["status_at"]) for a in accountability_report(agreement=world.agreement, at=at)["alerts"]]


@pytest.mark.django_db
def test_alerts_open_at_each_instant(world):
    first = raise_alert(world, "k1")
    alert_acknowledge(actor=actor_for(world.partner), alert=first, comment="Looking into it")
    alert_resolve(actor=actor_for(world.supervisor), alert=first, comment="Quota raised by amendment")
    second = raise_alert(world, "k2", kind="purpose_not_permitted")
    raised, acked, resolved = (
        AlertEvent.objects.get(alert=first, action=action).at for action in ("raised", "acknowledged", "resolved")
    )
    second_raised = AlertEvent.objects.get(alert=second, action="raised").at

    assert alerts_at(world, raised - TICK) == []
    assert alerts_at(world, raised) == [(first.pk, "open")]
    assert alerts_at(world, acked - TICK) == [(first.pk, "open")]
    assert alerts_at(world, acked) == [(first.pk, "acknowledged")]
    assert alerts_at(world, resolved - TICK) == [(first.pk, "acknowledged")]
    assert alerts_at(world, resolved) == ([] if second_raised > resolved else [(second.pk, "open")])
    assert alerts_at(world, second_raised) == [(second.pk, "open")]
    # Alerts of another agreement never show.
    assert accountability_report(agreement=world.other_agreement, at=second_raised)["alerts"] == []


@pytest.mark.django_db
def test_an_open_alert_says_who_answered_it_and_when(world):
    alert = raise_alert(world, "k1")
    alert_acknowledge(actor=actor_for(world.partner), alert=alert, comment="Looking into it")
    alert_resolve(actor=actor_for(world.supervisor), alert=alert, comment="Quota raised")
    at = AlertEvent.objects.get(alert=alert, action="acknowledged").at - TICK  # raised and notified, not yet answered
    [reported] = accountability_report(agreement=world.agreement, at=at)["alerts"]
    assert (reported["kind"], reported["severity"], reported["dataset"], reported["area"]) == (
        "quota_exceeded", "warning", "POP-STATS", "data_security",
    )
    assert reported["accountable_party"] == {"id": world.partner_org.pk, "name": world.partner_org.name}
    assert (reported["status_at"], reported["status_now"]) == ("open", "resolved")
    assert [(e["action"], e["actor"], e["comment"], e["after_t"]) for e in reported["events"]] == [
        ("raised", None, "", False),
        ("acknowledged", "partner", "Looking into it", True),
        ("resolved", "supervisor", "Quota raised", True),
    ]
    # Who was alerted: the supervisor of the jurisdiction, in the inbox, when it was raised.
    notified = {(n["user"], n["channel"], n["reason"], n["after_t"]) for n in reported["notified"]}
    assert {("supervisor", "inbox", "raised", False), ("partner", "inbox", "raised", False)} <= notified
    assert all(n["user"] not in ("other_partner", "far_officer") for n in reported["notified"])
