"""An alert shows the grant requests that asked for its kind of use; a partner answers an alert with a request."""


import pytest

from contracts.models import GrantRequest
from contracts.services.grant_requests import grant_request_refuse, grant_request_submit
from notifications.models import AlertEvent
from notifications.services.alerts import alert_raise
from partnerships.actors import actor_for

URL = "/api/v1/alerts/"


def raise_alert(world, kind, allowed, observed, dataset=None, permission=None):
    alert, _ = alert_raise(
        kind=kind,
        dedup_key=f"{kind}:a{world.agreement.pk}:test",
        summary="test",
        severity="warning",
        agreement=world.agreement,
        permission=permission,
        dataset=dataset or world.dataset,
        government_id=world.bureau.pk,
        partner_id=world.partner_org.pk,
        allowed=allowed,
        observed=observed,
    )
    return alert


def ask_change(world, **terms):
    return grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="change",
        permission=world.permission,
        justification="More",
        **terms,
    )


@pytest.mark.django_db
def test_an_alert_shows_the_refused_request_that_asked_for_that_action(world, client_for):
    refused = ask_change(world, actions=["read", "aggregate", "derive"])
    grant_request_refuse(actor=actor_for(world.officer), grant_request=refused, reason="security_risk")
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["derive"], permission=world.permission)

    for user in (world.supervisor, world.officer, world.partner):
        related = client_for(user).get(f"{URL}{alert.pk}/").json()["related_requests"]
        assert [(r["id"], r["status"], r["refusal_reason"]) for r in related] == [
            (refused.pk, "refused", "security_risk")
        ]
    # A request for another action does not cover this use.
    other = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["sell"], permission=world.permission)
    assert client_for(world.supervisor).get(f"{URL}{other.pk}/").json()["related_requests"] == []


@pytest.mark.django_db
def test_a_purpose_alert_shows_the_pending_request_for_that_purpose(world, client_for):
    pending = ask_change(world, purposes=["PublicBenefit", "ResearchAndDevelopment"])
    alert = raise_alert(world, "purpose_not_permitted", ["PublicBenefit"], "ScientificResearch")
    related = client_for(world.officer).get(f"{URL}{alert.pk}/").json()["related_requests"]
    assert [(r["id"], r["status"], r["from_alert"]) for r in related] == [(pending.pk, "pending", False)]
    unrelated = raise_alert(world, "purpose_not_permitted", ["PublicBenefit"], "Marketing")
    assert client_for(world.officer).get(f"{URL}{unrelated.pk}/").json()["related_requests"] == []


@pytest.mark.django_db
def test_partner_turns_an_alert_into_a_change_request(world, client_for):
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["derive"], permission=world.permission)
    response = client_for(world.partner).post(
        f"{URL}{alert.pk}/request/", {"justification": "Derived indicators for the dashboard"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["permission"], body["actions"], body["from_alert_id"]) == (
        "change",
        world.permission.pk,
        ["aggregate", "derive", "read"],
        alert.pk,
    )
    assert body["changes"] == [{"field": "actions", "granted": ["aggregate", "read"], "asked": ["aggregate", "derive", "read"]}]
    assert AlertEvent.objects.filter(alert=alert, action="request_filed", actor=world.partner).count() == 1
    related = client_for(world.supervisor).get(f"{URL}{alert.pk}/").json()["related_requests"]
    assert [(r["id"], r["from_alert"]) for r in related] == [(body["id"], True)]


@pytest.mark.django_db
def test_partner_asks_for_a_dataset_it_used_without_a_grant(world, client_for):
    alert = raise_alert(world, "dataset_not_permitted", [], world.personal_dataset.code, dataset=world.personal_dataset)
    missing = client_for(world.partner).post(f"{URL}{alert.pk}/request/", {"justification": "Needed"}, format="json")
    assert missing.status_code == 400
    assert sorted(missing.json()) == ["actions", "purposes"]
    response = client_for(world.partner).post(
        f"{URL}{alert.pk}/request/",
        {"justification": "Needed", "actions": ["read"], "purposes": ["ServiceProvision"]},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["dataset"]) == ("new", world.personal_dataset.pk)


@pytest.mark.django_db
def test_only_the_partner_may_answer_with_a_request_and_only_for_scope_alerts(world, client_for):
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["derive"], permission=world.permission)
    assert client_for(world.supervisor).post(f"{URL}{alert.pk}/request/", {"justification": "x"}, format="json").status_code == 403
    assert client_for(world.other_partner).post(f"{URL}{alert.pk}/request/", {"justification": "x"}, format="json").status_code == 404
    late = raise_alert(world, "declaration_missing", None, {"declarations": 0})
    response = client_for(world.partner).post(f"{URL}{late.pk}/request/", {"justification": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_requestable"
    assert GrantRequest.objects.count() == 0
