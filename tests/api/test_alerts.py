"""Alerts from an out-of-scope declaration: one per kind, seen by the right people only."""

import pytest

from notifications.models import Alert, AlertEvent, Notification
from notifications.services.checks import declaration_check
from tests import factories as f
from tests.notifications.builders import declaration
from tests.notifications.fast import fast_passwords  # noqa: F401

pytestmark = pytest.mark.django_db

SCOPE_KINDS = ["action_not_permitted", "purpose_not_permitted", "quota_exceeded", "recipient_not_approved"]


def out_of_scope(world, stranger):
    return declaration(
        world.agreement, world.dataset, world.partner,
        purpose="Marketing", actions=["read", "sell"], record_count=50_000, recipients=[stranger],
    )  # fmt: skip


@pytest.fixture
def stranger(world):
    return f.organization("Data broker", "enterprise", "330100")


def listed(client, **params):
    response = client.get("/api/v1/alerts/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_one_alert_per_kind_visible_to_supervisor_and_partner_only(world, stranger, client_for):
    d = out_of_scope(world, stranger)
    assert declaration_check(declaration_id=d.pk) is True

    scope_alerts = Alert.objects.filter(kind__in=SCOPE_KINDS)
    assert sorted(scope_alerts.values_list("kind", flat=True)) == SCOPE_KINDS
    # Nobody is accountable for data_security yet: the partner is named and the gap is reported.
    assert set(scope_alerts.values_list("accountable_party_id", flat=True)) == {world.partner_org.pk}
    assert Alert.objects.filter(kind="responsibility_gap", area="data_security").count() == 1
    d.refresh_from_db()
    assert d.status == "checked"
    assert sorted(v["kind"] for v in d.violations) == SCOPE_KINDS

    supervisor = listed(client_for(world.supervisor), agreement=world.agreement.pk)
    assert sorted(a["kind"] for a in supervisor["results"] if a["kind"] in SCOPE_KINDS) == SCOPE_KINDS
    partner = listed(client_for(world.partner))
    assert supervisor["count"] == partner["count"] == 5
    assert listed(client_for(world.other_partner))["count"] == 0
    assert listed(client_for(world.far_officer))["count"] == 0
    purpose = scope_alerts.get(kind="purpose_not_permitted")
    assert client_for(world.other_partner).get(f"/api/v1/alerts/{purpose.pk}/").status_code == 404

    body = client_for(world.supervisor).get(f"/api/v1/alerts/{purpose.pk}/").json()
    assert body["severity"] == "warning"
    assert body["permission"] == world.permission.pk
    assert body["permission_version"] == 1
    assert body["allowed"] == ["PublicBenefit"]
    assert body["observed"] == "Marketing"
    assert body["evidence"]["declaration_ids"] == [d.pk]
    assert body["accountable_party"] == world.partner_org.pk
    assert body["occurrences"] == 1
    assert [h["action"] for h in body["history"]] == ["raised"]

    # Inbox notifications went to the supervisor and the partner, nobody else.
    recipients = set(Notification.objects.filter(alert=purpose).values_list("user__username", flat=True))
    assert recipients == {"supervisor", "partner"}


def test_repeating_the_declaration_opens_no_second_alert(world, stranger):
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    assert Alert.objects.filter(kind__in=SCOPE_KINDS).count() == 4
    purpose = Alert.objects.get(kind="purpose_not_permitted")
    assert purpose.occurrences == 2
    assert purpose.last_seen > purpose.first_seen
    assert Notification.objects.filter(alert=purpose).count() == 2  # one inbox each, not two


def test_checking_the_same_declaration_twice_does_nothing_the_second_time(world, stranger):
    d = out_of_scope(world, stranger)
    assert declaration_check(declaration_id=d.pk) is True
    assert declaration_check(declaration_id=d.pk) is False
    assert Alert.objects.get(kind="purpose_not_permitted").occurrences == 1


def test_routed_to_the_contact_of_the_accountable_party(world, stranger):
    contact = f.user("security_lead", (world.partner_org, "partner"))
    f.assign(world.officer, world.agreement, "data_security", world.partner_org, contact=contact)
    d = declaration(world.agreement, world.dataset, world.partner, purpose="Marketing")
    declaration_check(declaration_id=d.pk)
    alert = Alert.objects.get(kind="purpose_not_permitted")
    assert alert.area == "data_security"
    assert set(Notification.objects.filter(alert=alert).values_list("user__username", flat=True)) == {
        "supervisor",
        "security_lead",
    }
    assert not Alert.objects.filter(kind="responsibility_gap").exists()


def test_sensitive_personal_data_is_critical(world):
    f.grant(world.officer, world.agreement, world.personal_dataset)
    d = declaration(world.agreement, world.personal_dataset, world.partner, purpose="Marketing")
    declaration_check(declaration_id=d.pk)
    assert Alert.objects.get(kind="purpose_not_permitted").severity == "critical"


def test_lifecycle_acknowledge_resolve_with_rows(world, stranger, client_for):
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    alert = Alert.objects.get(kind="quota_exceeded")
    url = f"/api/v1/alerts/{alert.pk}/"

    assert client_for(world.auditor).post(url + "acknowledge/", {"comment": "seen"}).status_code == 403
    assert client_for(world.other_partner).post(url + "acknowledge/", {}).status_code == 404
    response = client_for(world.partner).post(url + "acknowledge/", {"comment": "We are reducing the batch size."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    assert client_for(world.partner).post(url + "resolve/", {"comment": "done"}).status_code == 403
    assert client_for(world.supervisor).post(url + "resolve/", {}).status_code == 400
    assert client_for(world.partner).post(url + "acknowledge/", {}).status_code == 409
    response = client_for(world.supervisor).post(url + "resolve/", {"comment": "Quota raised by amendment 2."})
    assert response.status_code == 200
    history = [(h["action"], h["actor"], h["comment"]) for h in response.json()["history"]]
    assert history == [
        ("raised", None, ""),
        ("acknowledged", "partner", "We are reducing the batch size."),
        ("resolved", "supervisor", "Quota raised by amendment 2."),
    ]
    # Resolved: the same problem later opens a fresh alert.
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    assert Alert.objects.filter(kind="quota_exceeded").count() == 2


def test_dismiss_needs_a_reason(world, stranger, client_for):
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    alert = Alert.objects.get(kind="recipient_not_approved")
    url = f"/api/v1/alerts/{alert.pk}/dismiss/"
    response = client_for(world.supervisor).post(url, {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    alert.refresh_from_db()
    assert alert.status == "open"
    assert client_for(world.supervisor).post(url, {"reason": "Recipient approved offline"}, format="json").status_code == 200
    assert AlertEvent.objects.filter(alert=alert, action="dismissed", comment="Recipient approved offline").count() == 1


def test_filters(world, stranger, client_for):
    declaration_check(declaration_id=out_of_scope(world, stranger).pk)
    client = client_for(world.supervisor)
    assert [a["kind"] for a in listed(client, kind="quota_exceeded")["results"]] == ["quota_exceeded"]
    # Data already passed to an unapproved organization is critical even for general data.
    assert [a["kind"] for a in listed(client, severity="critical")["results"]] == ["recipient_not_approved"]
    assert listed(client, severity="info")["count"] == 0
    assert listed(client, status="open", dataset=world.dataset.pk)["count"] == 4
    assert client.get("/api/v1/alerts/", {"kind": "nonsense"}).status_code == 400
