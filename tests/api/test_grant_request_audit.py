"""Every step of a grant request is in the audit trail, and nothing is recorded for a refused step."""

import pytest

from partnerships.models import AuditEntry

URL = "/api/v1/grant-requests/"


def trail(grant_request_id):
    return list(
        AuditEntry.objects.filter(object_type="grant_request", object_id=str(grant_request_id))
        .order_by("seq")
        .values_list("action", "actor_username", "organization_id")
    )


@pytest.mark.django_db
def test_each_step_is_audited_for_the_government_party(world, client_for):
    partner, officer = client_for(world.partner), client_for(world.officer)
    asked = partner.post(
        URL,
        {"agreement": "ZJ-BOT-001", "kind": "new", "dataset": "HEALTH-REC", "actions": ["read", "derive"],
         "purposes": ["PublicBenefit"], "justification": "Dashboard"},
        format="json",
    )  # fmt: skip
    rid = asked.json()["id"]
    officer.post(f"{URL}{rid}/comments/", {"body": "Why derive?"}, format="json")
    # Refused steps leave no entry: a widening approval and a comment from someone not party to it.
    assert officer.post(f"{URL}{rid}/approve/", {"actions": ["sell"]}, format="json").status_code == 400
    assert client_for(world.auditor).post(f"{URL}{rid}/comments/", {"body": "x"}, format="json").status_code == 403
    officer.post(f"{URL}{rid}/approve/", {"actions": ["read"]}, format="json")
    bureau = world.bureau.pk
    assert trail(rid) == [
        ("grant_request.submit", "partner", bureau),
        ("grant_request.comment", "officer", bureau),
        ("grant_request.approve", "officer", bureau),
    ]
    approve = AuditEntry.objects.get(action="grant_request.approve")
    assert (approve.before, approve.after["decision"], approve.after["actions"]) == ({"status": "pending"}, "narrowed", ["read"])
    # The grant it created is audited as a grant too.
    assert AuditEntry.objects.filter(action="grant.create", object_id=str(approve.after["permission"])).count() == 1


@pytest.mark.django_db
def test_refusal_and_withdrawal_are_audited(world, client_for):
    body = {"agreement": "ZJ-BOT-001", "kind": "new", "actions": ["read"], "purposes": ["PublicBenefit"], "justification": "x"}
    first = client_for(world.partner).post(URL, {**body, "dataset": "HEALTH-REC"}, format="json").json()["id"]
    client_for(world.officer).post(f"{URL}{first}/refuse/", {"reason": "not_necessary"}, format="json")
    second = client_for(world.partner).post(URL, {**body, "dataset": "HEALTH-REC"}, format="json").json()["id"]
    client_for(world.partner).post(f"{URL}{second}/withdraw/")
    assert [a for a, _u, _o in trail(first)] == ["grant_request.submit", "grant_request.refuse"]
    assert [a for a, _u, _o in trail(second)] == ["grant_request.submit", "grant_request.withdraw"]
    refuse = AuditEntry.objects.get(action="grant_request.refuse")
    assert refuse.after == {"status": "refused", "reason": "not_necessary", "explanation": ""}
