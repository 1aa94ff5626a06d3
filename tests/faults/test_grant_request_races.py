"""Two officers deciding the same request at once: one decision, one grant version, the other told 409."""

import threading

import pytest
from django.db import connections

from contracts.models import DataUsePermission, GrantRequest
from contracts.services.grant_requests import grant_request_approve, grant_request_refuse, grant_request_submit
from partnerships.actors import actor_for
from partnerships.errors import ConflictError
from tests import factories as f


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_approve_and_refuse_give_exactly_one_decision(world):
    second_officer = f.user("officer2", (world.bureau, "officer"))
    grant_request = grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="new",
        dataset=world.personal_dataset,
        actions=["read"],
        purposes=["PublicBenefit"],
        justification="Needed",
    )
    start = threading.Barrier(2)
    outcome = {}

    def decide(name, action):
        try:
            start.wait(10)
            action()
            outcome[name] = "decided"
        except ConflictError as exc:
            outcome[name] = exc.code
        finally:
            connections.close_all()

    approve = threading.Thread(
        target=decide,
        args=("approve", lambda: grant_request_approve(actor=actor_for(world.officer), grant_request=grant_request)),
    )
    refuse = threading.Thread(
        target=decide,
        args=(
            "refuse",
            lambda: grant_request_refuse(
                actor=actor_for(second_officer), grant_request=grant_request, reason="not_necessary"
            ),
        ),
    )
    approve.start()
    refuse.start()
    approve.join(30)
    refuse.join(30)

    assert sorted(outcome.values()) == ["decided", "not_pending"]
    grant_request.refresh_from_db()
    granted = DataUsePermission.objects.filter(dataset=world.personal_dataset)
    if outcome["approve"] == "decided":
        assert (grant_request.status, granted.count(), granted.get().versions.count()) == ("approved", 1, 1)
    else:
        assert (grant_request.status, granted.count()) == ("refused", 0)
    assert GrantRequest.objects.count() == 1
