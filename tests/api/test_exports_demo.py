"""The demo province exports cleanly: every agreement as valid OCDS, every grant as JSON-LD."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from pyld import jsonld

from contracts.exports.jsonld import offline_document_loader
from contracts.models import Agreement, PermissionVersion
from tests.ocds_schema import errors, record_package_validator, release_package_validator

ODRL = "http://www.w3.org/ns/odrl/2/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OPTIONS = {"documentLoader": offline_document_loader}


@pytest.fixture
def demo(db, client_for):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    return client_for(get_user_model().objects.get(username="admin"))


def test_every_demo_agreement_exports_as_valid_ocds(demo):
    agreements = list(Agreement.objects.order_by("reference"))
    assert len(agreements) == 8
    statuses = set()
    for agreement in agreements:
        package = demo.get(f"/api/v1/agreements/{agreement.pk}/ocds/").json()
        assert errors(release_package_validator(), package) == [], agreement.reference
        statuses.add(package["releases"][0]["contracts"][0]["status"])
        record = demo.get(f"/api/v1/agreements/{agreement.pk}/ocds/?package=record").json()
        assert errors(record_package_validator(), record) == [], agreement.reference
    # The demo has agreements in every status, so every contract status we map to is exercised.
    assert statuses == {"pending", "active", "terminated"}


@pytest.mark.parametrize("username", ["admin", "auditor", "partner"])
def test_demo_bulk_export_is_valid_for_each_persona(demo, client_for, username):
    response = client_for(get_user_model().objects.get(username=username)).get("/api/v1/ocds/")
    assert response.status_code == 200
    package = json.loads(b"".join(response.streaming_content))
    assert errors(release_package_validator(), package) == []
    assert len(package["releases"]) >= 1


def test_every_version_of_every_demo_grant_parses_as_json_ld(demo):
    versions = list(PermissionVersion.objects.select_related("permission").order_by("permission", "number"))
    assert len(versions) == 21
    for version in versions:
        url = f"/api/v1/permissions/{version.permission_id}/odrl/?version={version.number}"
        response = demo.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/ld+json"
        document = response.json()
        assert jsonld.expand(document, OPTIONS), url
        triples = jsonld.to_rdf(document, OPTIONS)["@default"]
        policy = f"http://testserver{url}"
        found = {(t["predicate"]["value"], t["object"]["value"]) for t in triples if t["subject"]["value"] == policy}
        assert (RDF_TYPE, ODRL + "Agreement") in found, url
        assert {p for p, _ in found} >= {ODRL + "assigner", ODRL + "assignee", ODRL + "target"}, url
        assert {p for p, _ in found} & {ODRL + "permission", ODRL + "prohibition"}, url
