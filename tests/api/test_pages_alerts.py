"""Supervisor pages: the inbox and its filters, an alert and its answers, silences, channels, escalation."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from contracts.services.declarations import declaration_submit
from notifications.models import Alert, AlertEvent, Channel, EscalationPolicy, Silence
from notifications.services.checks import declaration_check
from partnerships.actors import actor_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(response, form_name, field):
    return [str(e) for e in response.context[form_name].errors.get(field, [])]


def out_of_scope_alert(world) -> Alert:
    """A partner declares use for marketing, which its grant does not allow; the check raises an alert.

    The partner answers for data security, so the alert names it and no responsibility gap is raised."""
    f.assign(world.officer, world.agreement, "data_security", world.partner_org, "A")
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    declaration = declaration_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        dataset=world.dataset,
        period_start=end.replace(day=1),
        period_end=end,
        purpose="Marketing",
        actions=["read"],
        record_count=100,
    )
    assert declaration_check(declaration_id=declaration.pk) is True
    return Alert.objects.get(kind="purpose_not_permitted")


@pytest.mark.parametrize("persona", ["supervisor", "partner", "officer", "auditor"])
def test_the_alert_is_visible_to_those_it_concerns(world, persona):
    alert = out_of_scope_alert(world)
    client = page_client(getattr(world, persona))
    assert [a.pk for a in client.get("/alerts/").context["page"]] == [alert.pk]
    assert client.get(f"/alerts/{alert.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["other_partner", "far_officer"])
def test_a_foreign_alert_is_404(world, persona):
    alert = out_of_scope_alert(world)
    client = page_client(getattr(world, persona))
    assert list(client.get("/alerts/").context["page"]) == []
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/alerts/{alert.pk}/acknowledge/", {"comment": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"


def test_inbox_filters(world):
    alert = out_of_scope_alert(world)
    client = page_client(world.supervisor)

    def ids(query):
        return [a.pk for a in client.get(f"/alerts/?{query}").context["page"]]

    assert ids(f"kind=purpose_not_permitted&severity={alert.severity}") == [alert.pk]
    assert ids("kind=quota_exceeded") == []
    assert ids(f"agreement={world.agreement.pk}") == [alert.pk]
    assert ids(f"agreement={world.other_agreement.pk}") == []
    assert ids("status=resolved") == []
    # An agreement the person may not see is not a valid filter value, and leaks nothing.
    assert ids(f"agreement={world.far_agreement.pk}") == [alert.pk]


def test_the_alert_page_names_the_accountable_party_and_shows_evidence(world):
    alert = out_of_scope_alert(world)
    page = page_client(world.supervisor).get(f"/alerts/{alert.pk}/")
    body = page.content.decode()
    assert alert.accountable_party.name in body
    assert "Marketing" in page.context["evidence_json"] or "Marketing" in str(alert.observed)
    assert page.context["resolve_form"] is not None and page.context["dismiss_form"] is not None


def test_supervisor_acknowledges_then_resolves_with_a_comment(world):
    alert = out_of_scope_alert(world)
    client = page_client(world.supervisor)
    assert client.post(f"/alerts/{alert.pk}/acknowledge/", {"comment": "Looking into it"}).status_code == 302
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"comment": ""})
    assert response.status_code == 400
    assert field_errors(response, "resolve_form", "comment") == ["Say how it was resolved."]
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert client.post(f"/alerts/{alert.pk}/resolve/", {"comment": "Partner stopped; grant reviewed"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert list(AlertEvent.objects.filter(alert=alert, actor=world.supervisor).values_list("action", "comment")) == [
        ("acknowledged", "Looking into it"),
        ("resolved", "Partner stopped; grant reviewed"),
    ]


def test_dismiss_needs_a_reason_and_partners_cannot_dismiss(world):
    alert = out_of_scope_alert(world)
    response = page_client(world.supervisor).post(f"/alerts/{alert.pk}/dismiss/", {"reason": ""})
    assert field_errors(response, "dismiss_form", "reason") == ["A reason is required to dismiss an alert."]
    assert page_client(world.partner).get(f"/alerts/{alert.pk}/").context["dismiss_form"] is None
    assert page_client(world.partner).post(f"/alerts/{alert.pk}/dismiss/", {"reason": "mine"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_supervisor_home_shows_the_inbox_first(world):
    alert = out_of_scope_alert(world)
    response = page_client(world.supervisor).get("/home/")
    assert [a.pk for a in response.context["alerts"]] == [alert.pk]
    partner_home = page_client(world.partner).get("/home/")
    assert [a.pk for a in partner_home.context["alerts"]] == [alert.pk]
    assert page_client(world.other_partner).get("/home/").context["alerts"] == []


def test_a_silence_needs_matchers_an_end_and_a_reason(world):
    client = page_client(world.supervisor)
    now = timezone.localtime().replace(second=0, microsecond=0)
    data = {"starts_at": now.strftime("%Y-%m-%dT%H:%M"), "ends_at": now.strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    response = client.post("/silences/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"reason", "ends_at", "__all__"}
    assert not Silence.objects.exists()
    data.update(kind="quota_exceeded", ends_at=(now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), reason="Planned migration")
    assert client.post("/silences/new/", data).status_code == 302
    silence = Silence.objects.get()
    assert (silence.matchers, silence.author) == ({"kind": "quota_exceeded"}, world.supervisor)
    assert page_client(world.supervisor).get("/silences/").context["silences"] == [silence]
    assert page_client(world.partner).get("/silences/new/").status_code == 403


def test_channels_add_and_send_test(world, settings, mailoutbox):
    client = page_client(world.supervisor)
    response = client.post("/channels/", {"kind": "email", "name": "Duty desk", "target": "not-an-address"})
    assert field_errors(response, "form", "target") == ["Give an e-mail address."]
    added = client.post("/channels/", {"kind": "email", "name": "Duty desk", "target": "desk@example.test"}, follow=True)
    assert [str(m) for m in added.context["messages"]] == ["Channel added."]
    channel = Channel.objects.get(owner=world.supervisor)
    response = client.post(f"/channels/{channel.pk}/test/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Test sent to Duty desk: delivered."]
    assert [m.to for m in mailoutbox] == [["desk@example.test"]]
    assert page_client(world.partner).post(f"/channels/{channel.pk}/test/").status_code == 404


def test_escalation_policies_are_set_by_administrators(world):
    assert page_client(world.supervisor).get("/escalation/").context["form"] is None
    assert page_client(world.supervisor).post("/escalation/", {"name": "x"}).status_code == 403
    assert page_client(world.partner).get("/escalation/").status_code == 403
    client = page_client(world.admin)
    data = {"name": "Critical, first level", "severity": "critical", "level": "1", "delay_minutes": "30"}
    response = client.post("/escalation/", data)
    assert field_errors(response, "form", "recipients") == ["Name at least one person to notify."]
    data["recipients"] = [world.supervisor.pk]
    assert client.post("/escalation/", data).status_code == 302
    policy = EscalationPolicy.objects.get()
    assert (policy.severity, policy.level, list(policy.recipients.all())) == ("critical", 1, [world.supervisor])


def test_the_inbox_speaks_chinese_to_a_chinese_browser(world):
    alert = out_of_scope_alert(world)
    body = page_client(world.supervisor).get("/alerts/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "<h1>告警收件箱</h1>" in body
    assert "用途未获授权" in body  # the kind's label from the code list
    assert "在协议 ZJ-BOT-001 下将 POP-STATS 用于未授权的用途" in body
    detail = page_client(world.supervisor).get(f"/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "最终负责方" in detail and "确认" in detail


def test_alert_emails_are_in_chinese_and_english(world, mailoutbox):
    from notifications.models import Notification
    from notifications.services.deliveries import delivery_attempt

    Channel.objects.create(owner=world.supervisor, kind="email", name="Desk", target="desk@example.test")
    alert = out_of_scope_alert(world)
    notification = Notification.objects.get(alert=alert, channel__isnull=False)
    assert delivery_attempt(notification_id=notification.pk).status == "delivered"
    [message] = mailoutbox
    chinese, english = message.body.split("\n\n----------\n\n")
    assert chinese.startswith("在协议 ZJ-BOT-001 下将 POP-STATS 用于未授权的用途\n")
    assert f"最终负责方: {world.partner_org.name}" in chinese
    assert "严重程度: 警告" in chinese
    assert english.startswith("Purpose not granted for POP-STATS under ZJ-BOT-001\n")
    assert "Observed: Marketing" in english
