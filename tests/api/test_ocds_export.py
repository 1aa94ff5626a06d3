"""OCDS for PPPs export: every package validates against the shared PPP profile schema."""

import copy
import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Milestone, Phase
from contracts.services.agreement_parts import document_attach
from contracts.services.agreements import agreement_amend, agreement_transition
from partnerships.actors import actor_for
from tests import factories as f
from tests.ocds_schema import errors, record_package_validator, release_package_validator

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def ocds_url(agreement, **params):
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return f"/api/v1/agreements/{agreement.pk}/ocds/{query}"


def bulk(client):
    response = client.get("/api/v1/ocds/")
    assert response.status_code == 200, response
    return json.loads(b"".join(response.streaming_content))


def document(world, agreement, title, content: bytes, document_type="contractSigned", version=None):
    return document_attach(
        actor=actor_for(world.officer),
        agreement=agreement,
        uploaded=SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf"),
        title=title,
        document_type=document_type,
        version_number=version,
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def amend(world, agreement, **changes):
    return agreement_amend(
        actor=actor_for(world.officer),
        agreement=agreement,
        rationale="Scope extended to the city data centre",
        effective_on=TODAY,
        changes=changes,
    )


@pytest.fixture
def rich(world):
    """The e-government cloud with phases, milestones, documents, an amendment and responsibilities."""
    agreement = world.agreement
    Phase.objects.create(
        agreement=agreement,
        kind="design",
        planned_start=TODAY - 300 * DAY,
        planned_end=TODAY - 200 * DAY,
        actual_start=TODAY - 300 * DAY,
        actual_end=TODAY - 190 * DAY,
    )
    Phase.objects.create(
        agreement=agreement,
        kind="build",
        planned_start=TODAY - 190 * DAY,
        planned_end=TODAY + 100 * DAY,
        actual_start=TODAY - 185 * DAY,
    )
    Phase.objects.create(agreement=agreement, kind="operate", planned_start=TODAY + 101 * DAY)
    Milestone.objects.create(
        agreement=agreement,
        title="Cloud platform accepted",
        due_on=TODAY - 10 * DAY,
        responsible=world.partner_org,
        status="met",
        met_on=TODAY - 12 * DAY,
    )
    Milestone.objects.create(
        agreement=agreement,
        kind="obligation",
        title="Monthly security report",
        due_on=TODAY + 20 * DAY,
        responsible=world.partner_org,
    )
    signed = document(world, agreement, "Signed agreement", b"signed", version=1)
    version = amend(world, agreement, value=Decimal("1200000.50"), ends_on=TODAY + 6 * 365 * DAY)
    annex = document(world, agreement, "Amendment 1", b"annex", document_type="contractAnnexe", version=2)
    f.assign(world.officer, agreement, "data_security", world.partner_org, contact_name="Li Wei")
    f.assign(world.officer, agreement, "data_security", world.bureau, raci="C")
    f.assign(world.officer, agreement, "personal_information", world.bureau)
    f.assign(world.officer, agreement, "construction", world.partner_org, raci="R")
    f.assign(world.officer, agreement, "incident_response", world.supervision_office)
    agreement.refresh_from_db()
    return agreement, version, signed, annex


def only_release(package):
    assert len(package["releases"]) == 1
    return package["releases"][0]


def test_rich_agreement_release_package_is_valid(world, client_for, rich):
    agreement, version, signed, annex = rich
    response = client_for(world.auditor).get(ocds_url(agreement))
    assert response.status_code == 200
    package = response.json()

    assert errors(release_package_validator(), package) == []
    assert package["uri"] == f"http://testserver/api/v1/agreements/{agreement.pk}/ocds/"
    assert package["version"] == "1.1"
    release = only_release(package)
    assert release["ocid"] == "ocds-tracker-ZJ-BOT-001"
    assert release["tag"] == ["contract", "contractAmendment"]
    assert release["initiationType"] == "tender"
    assert package["publishedDate"] == release["date"]

    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles == {
        world.bureau.name: ["buyer", "procuringEntity"],
        world.partner_org.name: ["privateParty", "supplier"],
    }
    partner_party = next(p for p in release["parties"] if p["name"] == world.partner_org.name)
    assert partner_party["identifier"] == {
        "scheme": "CN-SAIC",
        "id": world.partner_org.credit_code,
        "legalName": world.partner_org.name,
    }
    assert release["buyer"]["name"] == world.bureau.name

    contract = release["contracts"][0]
    assert contract["status"] == "active"
    assert contract["value"] == {"amount": 1200000.5, "currency": "CNY"}
    assert contract["period"]["endDate"] == f"{(TODAY + 6 * 365 * DAY).isoformat()}T23:59:59+08:00"
    assert [s["name"] for s in contract["signatories"]] == [world.bureau.name, world.partner_org.name]

    activation = agreement.transitions.get()
    assert contract["amendments"] == [
        {
            "id": "2",
            "date": f"{TODAY.isoformat()}T00:00:00+08:00",
            "rationale": "Scope extended to the city data centre",
            "description": contract["amendments"][0]["description"],
            "releaseID": "ocds-tracker-ZJ-BOT-001-v2",
            "amendsReleaseID": f"ocds-tracker-ZJ-BOT-001-t{activation.pk}",
        }
    ]
    assert "value: '1000000.00' -> '1200000.50'" in contract["amendments"][0]["description"]

    docs = {d["id"]: d for d in contract["documents"]}
    assert docs[str(signed.pk)]["documentType"] == "contractSigned"
    assert f"SHA-256: {hashlib.sha256(b'signed').hexdigest()}" in docs[str(signed.pk)]["description"]
    assert docs[str(annex.pk)]["documentType"] == "contractAnnexe"
    assert "Filed with version 2" in docs[str(annex.pk)]["description"]
    download = docs[str(signed.pk)]["url"]
    assert download == f"http://testserver/api/v1/agreements/{agreement.pk}/documents/{signed.pk}/download/"
    fetched = client_for(world.auditor).get(download)
    assert fetched.status_code == 200
    assert hashlib.sha256(b"".join(fetched.streaming_content)).hexdigest() == signed.sha256

    milestones = {m["id"]: m for m in contract["milestones"]}
    assert set(milestones) == {
        "phase-design-start",
        "phase-design-end",
        "phase-build-start",
        "phase-build-end",
        "phase-operate-start",
    } | {f"milestone-{m.pk}" for m in agreement.milestones.all()}
    assert milestones["phase-build-start"] == {
        "id": "phase-build-start",
        "title": "Build phase starts",
        "type": "delivery",
        "code": "commencement",
        "dueDate": f"{(TODAY - 190 * DAY).isoformat()}T00:00:00+08:00",
        "dateMet": f"{(TODAY - 185 * DAY).isoformat()}T00:00:00+08:00",
        "status": "met",
    }
    assert milestones["phase-build-end"]["code"] == "completion"
    assert milestones["phase-build-end"]["status"] == "scheduled"
    assert "dateMet" not in milestones["phase-build-end"]
    assert milestones["phase-operate-start"]["code"] == "commissioning"
    met = agreement.milestones.get(status="met")
    assert milestones[f"milestone-{met.pk}"]["status"] == "met"
    assert "Responsible: " + world.partner_org.name in milestones[f"milestone-{met.pk}"]["description"]

    risks = {r["id"]: r for r in contract["riskAllocation"]}
    assert {area: (r["category"], r["allocation"]) for area, r in risks.items()} == {
        "data_security": ("compliance", "privateParty"),
        "personal_information": ("compliance", "publicAuthority"),
        "incident_response": ("availabilityAndQuality", "undefined"),
        "construction": ("construction", "undefined"),
    }
    assert risks["data_security"]["notes"] == (
        f"Accountable: {world.partner_org.name} (contact: Li Wei). Consulted: {world.bureau.name}."
    )
    assert risks["construction"]["notes"].startswith("No accountable party is assigned. Responsible: ")
    assert risks["incident_response"]["notes"] == f"Accountable: {world.supervision_office.name}."


def test_ended_responsibility_is_not_in_the_current_allocation(world, client_for):
    from contracts.services.responsibilities import responsibility_end

    old = f.assign(world.officer, world.agreement, "financing", world.partner_org)
    responsibility_end(
        actor=actor_for(world.officer), assignment=old, valid_to=timezone.now() - DAY, reason="Refinanced"
    )
    package = client_for(world.officer).get(ocds_url(world.agreement)).json()
    assert errors(release_package_validator(), package) == []
    assert "riskAllocation" not in only_release(package)["contracts"][0]


@pytest.mark.parametrize("action, status", [("terminate", "terminated"), ("expire", None), ("transfer", "transferred")])
def test_ended_agreement_is_a_terminated_contract(world, client_for, action, status):
    agreement = world.agreement
    if action == "expire":
        agreement = f.agreement(
            world.officer,
            world.bureau,
            world.partner_org,
            starts_on=TODAY - 400 * DAY,
            ends_on=TODAY - DAY,
            signed_on=TODAY - 401 * DAY,
        )
    agreement_transition(
        actor=actor_for(world.officer), agreement=agreement, action=action, reason="Ended by the parties"
    )
    package = client_for(world.auditor).get(ocds_url(agreement)).json()

    assert errors(release_package_validator(), package) == []
    release = only_release(package)
    assert release["tag"] == ["contract", "contractTermination"]
    assert release["contracts"][0]["status"] == "terminated"
    assert release["awards"][0]["status"] == "active"


def test_draft_agreement_is_a_pending_contract(world, client_for):
    draft = f.agreement(world.officer, world.bureau, world.partner_org, active=False, signed_on=None)
    package = client_for(world.officer).get(ocds_url(draft)).json()
    assert errors(release_package_validator(), package) == []
    release = only_release(package)
    assert release["tag"] == ["contract"]
    assert release["contracts"][0]["status"] == "pending"
    assert release["awards"][0]["status"] == "pending"
    assert "dateSigned" not in release["contracts"][0]


def test_currency_ocds_does_not_know_is_kept_in_the_description_not_the_value(world, client_for):
    odd = f.agreement(world.officer, world.bureau, world.partner_org, currency="XYZ")
    package = client_for(world.officer).get(ocds_url(odd)).json()
    assert errors(release_package_validator(), package) == []
    contract = only_release(package)["contracts"][0]
    assert contract["value"] == {"amount": 1000000}
    assert "Currency: XYZ (not an ISO 4217 code)" in contract["description"]


def test_agreement_stored_without_versions_still_exports(world, client_for):
    world.agreement.versions.all().delete()
    record = client_for(world.officer).get(ocds_url(world.agreement, package="record")).json()
    assert errors(record_package_validator(), record) == []
    assert errors(release_package_validator(), client_for(world.officer).get(ocds_url(world.agreement)).json()) == []


def test_suspended_agreement_stays_an_active_contract(world, client_for):
    agreement_transition(actor=actor_for(world.officer), agreement=world.agreement, action="suspend", reason="Audit")
    release = only_release(client_for(world.officer).get(ocds_url(world.agreement)).json())
    assert release["contracts"][0]["status"] == "active"
    assert "Status in the tracker: suspended" in release["contracts"][0]["description"]


def test_record_package_has_one_release_per_change(world, client_for, rich):
    agreement, version, signed, annex = rich
    termination = agreement_transition(
        actor=actor_for(world.officer), agreement=agreement, action="terminate", reason="Partner insolvent"
    )
    package = client_for(world.auditor).get(ocds_url(agreement, package="record")).json()

    assert errors(record_package_validator(), package) == []
    # The embedded releases also pass as a release package, which reports errors per release.
    as_releases = {k: v for k, v in package.items() if k != "records"} | {"releases": package["records"][0]["releases"]}
    assert errors(release_package_validator(), as_releases) == []

    record = package["records"][0]
    releases = record["releases"]
    ocid = "ocds-tracker-ZJ-BOT-001"
    transitions = list(agreement.transitions.order_by("at"))
    assert [(r["id"], r["tag"]) for r in releases] == [
        (f"{ocid}-v1", ["contract"]),
        (f"{ocid}-t{transitions[0].pk}", ["contractUpdate"]),
        (f"{ocid}-v2", ["contractAmendment"]),
        (f"{ocid}-t{transitions[1].pk}", ["contractTermination"]),
    ]
    dates = [datetime.datetime.fromisoformat(r["date"]) for r in releases]
    assert dates == sorted(dates)
    # Each release is the state recorded by its date.
    contracts = [r["contracts"][0] for r in releases]
    assert [c["status"] for c in contracts] == ["pending", "active", "active", "terminated"]
    assert [c["value"]["amount"] for c in contracts] == [1000000, 1000000, 1200000.5, 1200000.5]
    assert [len(c.get("amendments", [])) for c in contracts] == [0, 0, 1, 1]
    assert contracts[2]["amendments"][0]["releaseID"] == releases[2]["id"]
    assert contracts[2]["amendments"][0]["amendsReleaseID"] == releases[1]["id"]
    # Phases and milestones have no history: only the last release carries them.
    assert ["milestones" in c for c in contracts] == [False, False, False, True]

    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["contracts"][0]["status"] == "terminated"
    assert package["publishedDate"] == compiled["date"]
    assert termination.status == "terminated"


def test_record_stays_in_date_order_and_ends_with_what_was_recorded_since(world, client_for):
    """A back-dated activation is dated after the registration; documents and responsibilities
    recorded after the last change come in a final implementation release."""
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, active=False)
    agreement_transition(
        actor=actor_for(world.officer),
        agreement=agreement,
        action="activate",
        reason="Signed last month",
        at=timezone.now() - 30 * DAY,
    )
    f.assign(world.officer, agreement, "data_security", world.partner_org)
    signed = document(world, agreement, "Signed agreement", b"signed")
    package = client_for(world.officer).get(ocds_url(agreement, package="record")).json()

    assert errors(record_package_validator(), package) == []
    releases = package["records"][0]["releases"]
    assert [r["tag"] for r in releases] == [["contract"], ["contractUpdate"], ["implementation"]]
    dates = [datetime.datetime.fromisoformat(r["date"]) for r in releases]
    assert dates[0] == dates[1] <= dates[2]
    assert [r["contracts"][0]["status"] for r in releases] == ["pending", "active", "active"]
    assert ["riskAllocation" in r["contracts"][0] for r in releases] == [False, False, True]
    assert [d["id"] for d in releases[2]["contracts"][0]["documents"]] == [str(signed.pk)]
    assert dates[2] == timezone.localtime(signed.uploaded_at).replace(microsecond=0)


def test_bulk_export_holds_every_visible_agreement_and_nothing_else(world, client_for, rich):
    package = bulk(client_for(world.auditor))

    assert errors(release_package_validator(), package) == []
    assert package["uri"] == "http://testserver/api/v1/ocds/"
    assert sorted(r["ocid"] for r in package["releases"]) == ["ocds-tracker-ZJ-BOT-001", "ocds-tracker-ZJ-SVC-002"]
    latest = max(datetime.datetime.fromisoformat(r["date"]) for r in package["releases"])
    assert datetime.datetime.fromisoformat(package["publishedDate"]) == latest

    far = bulk(client_for(world.far_officer))
    assert [r["ocid"] for r in far["releases"]] == ["ocds-tracker-JS-JV-001"]
    assert errors(release_package_validator(), far) == []


def test_bulk_export_release_matches_the_single_export(world, client_for, rich):
    agreement = rich[0]
    single = only_release(client_for(world.auditor).get(ocds_url(agreement)).json())
    in_bulk = next(r for r in bulk(client_for(world.auditor))["releases"] if r["ocid"] == single["ocid"])
    assert in_bulk == single


def test_bulk_export_query_count_does_not_grow_with_agreements(world, client_for):
    client = client_for(world.officer)
    with CaptureQueriesContext(connection) as few:
        assert len(bulk(client)["releases"]) == 2
    for _ in range(4):
        a = f.agreement(world.officer, world.bureau, world.partner_org)
        f.assign(world.officer, a, "data_security", world.partner_org)
        amend(world, a, title="Renamed")
    with CaptureQueriesContext(connection) as many:
        assert len(bulk(client)["releases"]) == 6
    assert len(many) == len(few)


def test_bulk_export_with_nothing_visible_is_404_not_an_invalid_package(world, client_for):
    nobody = f.user("nobody")
    response = client_for(nobody).get("/api/v1/ocds/")
    assert response.status_code == 404
    assert "nothing to export" in response.json()["detail"]


def test_ocid_prefix_comes_from_settings(world, client_for, settings):
    settings.OCDS_OCID_PREFIX = "ocds-a1b2c3"
    release = only_release(client_for(world.partner).get(ocds_url(world.agreement)).json())
    assert release["ocid"] == "ocds-a1b2c3-ZJ-BOT-001"


@pytest.mark.parametrize("persona", ["other_partner", "far_officer"])
@pytest.mark.parametrize("package", ["release", "record"])
def test_foreign_agreement_is_404(world, client_for, persona, package):
    response = client_for(getattr(world, persona)).get(ocds_url(world.agreement, package=package))
    assert response.status_code == 404
    assert "ZJ-BOT-001" not in response.content.decode()


@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_every_persona_that_sees_the_agreement_gets_its_package(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(ocds_url(world.agreement))
    assert response.status_code == 200
    assert only_release(response.json())["ocid"] == "ocds-tracker-ZJ-BOT-001"


def test_agreement_may_be_named_by_reference(world, client_for):
    by_id = client_for(world.partner).get(ocds_url(world.agreement)).json()
    by_reference = client_for(world.partner).get("/api/v1/agreements/ZJ-BOT-001/ocds/").json()
    assert only_release(by_reference) == only_release(by_id)
    assert client_for(world.other_partner).get("/api/v1/agreements/ZJ-BOT-001/ocds/").status_code == 404
    assert client_for(world.partner).get("/api/v1/agreements/NO-SUCH-REF/ocds/").status_code == 404


def test_anonymous_gets_nothing(world, client_for):
    assert client_for(None).get(ocds_url(world.agreement)).status_code == 401
    assert client_for(None).get("/api/v1/ocds/").status_code == 401


def test_unknown_package_kind_is_a_field_error(world, client_for):
    response = client_for(world.auditor).get(ocds_url(world.agreement, package="versioned"))
    assert response.status_code == 400
    assert list(response.json()) == ["package"]


def test_validator_catches_a_broken_package(world, client_for, rich):
    """The validators are not vacuous: a package broken in three ways gets exactly those three errors."""
    package = client_for(world.auditor).get(ocds_url(rich[0])).json()
    assert errors(release_package_validator(), package) == []

    broken = copy.deepcopy(package)
    contract = broken["releases"][0]["contracts"][0]
    contract["status"] = "suspended"
    contract["riskAllocation"][0]["allocation"] = "shared"
    broken["releases"][0]["date"] = "30/11/2026"
    found = errors(release_package_validator(), broken)
    assert len(found) == 3, found
    assert found[0].startswith("releases/0/contracts/0/riskAllocation/0/allocation: 'shared' is not one of")
    assert found[1].startswith("releases/0/contracts/0/status: 'suspended' is not one of")
    assert found[2] == "releases/0/date: '30/11/2026' is not a 'date-time'"

    record = client_for(world.auditor).get(ocds_url(rich[0], package="record")).json()
    del record["records"][0]["ocid"]
    assert errors(record_package_validator(), record) == ["records/0: 'ocid' is a required property"]


def test_openapi_schema_describes_the_exports(world, client_for):
    response = client_for(world.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {"/api/v1/agreements/{id}/ocds/", "/api/v1/ocds/", "/api/v1/permissions/{id}/odrl/"} <= set(paths)
    odrl = paths["/api/v1/permissions/{id}/odrl/"]["get"]
    assert "application/ld+json" in odrl["responses"]["200"]["content"]
