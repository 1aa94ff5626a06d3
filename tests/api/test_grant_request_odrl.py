"""A grant request as an ODRL Request: parses offline, and reads like the grant it would become."""

import pytest

from contracts.services.grant_requests import grant_request_submit
from partnerships.actors import actor_for
from tests.api.test_odrl_export import BASE, ODRL, RDF, Graph, no_network, org  # noqa: F401 (fixture)

URL = "/api/v1/grant-requests/"


@pytest.fixture
def change_request(world):
    return grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="change",
        permission=world.permission,
        actions=["read", "aggregate", "derive"],
        anonymize_required=True,
        justification="Derived wait-time indicators",
    )


@pytest.mark.django_db
def test_a_request_is_an_odrl_request_by_the_partner(world, client_for, change_request, no_network):
    response = client_for(world.officer).get(f"{URL}{change_request.pk}/odrl/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    g = Graph(response.json())
    policy = f"{BASE}/grant-requests/{change_request.pk}/odrl/"
    assert g.objects(policy, RDF + "type") == {ODRL + "Request"}
    assert g.objects(policy, ODRL + "assignee") == {org(world.partner_org)}
    assert g.objects(policy, ODRL + "assigner") == {org(world.bureau)}
    assert g.objects(policy, "http://purl.org/dc/terms/references") == {
        f"{BASE}/permissions/{world.permission.pk}/odrl/?version=1"
    }
    rule = g.one(policy, ODRL + "permission")
    assert g.objects(rule, ODRL + "action") == {ODRL + "read", ODRL + "aggregate", ODRL + "derive"}
    duties = g.objects(rule, ODRL + "duty")
    assert {g.one(d, ODRL + "action") for d in duties} == {ODRL + "inform", ODRL + "anonymize"}
    assert g.objects(policy, ODRL + "prohibition") == set()


@pytest.mark.django_db
def test_another_partner_cannot_read_it(world, client_for, change_request):
    assert client_for(world.other_partner).get(f"{URL}{change_request.pk}/odrl/").status_code == 404
