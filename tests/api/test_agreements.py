import datetime

import pytest
from django.utils import timezone

from contracts.models import Agreement, AgreementTransition, AgreementVersion
from partnerships.models import Partnership
from tests import factories as f

URL = "/api/v1/agreements/"
PERSONAS = ["officer", "partner", "other_partner", "supervisor", "auditor", "admin", "far_officer"]


def detail(agreement, suffix=""):
    return f"{URL}{agreement.pk}/{suffix}"


def new_body(world, **over):
    data = {
        "reference": "ZJ-PPP-003",
        "title": "数据开放平台 Open data platform",
        "model": "BOOT",
        "government": world.bureau.credit_code,
        "partner": world.partner_org.pk,
        "description": "Twenty-year concession",
        "signed_on": "2026-01-10",
        "starts_on": "2026-02-01",
        "ends_on": "2046-01-31",
        "value": "25000000.00",
    }
    data.update(over)
    return data


def snapshot(agreement):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.title,
        agreement.status,
        agreement.version,
        agreement.ends_on,
        agreement.updated_at,
        AgreementTransition.objects.filter(agreement=agreement).count(),
        AgreementVersion.objects.filter(agreement=agreement).count(),
    )


# --- reading ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, expected",
    [
        ("officer", ["ZJ-BOT-001", "ZJ-SVC-002"]),
        ("partner", ["ZJ-BOT-001"]),
        ("other_partner", ["ZJ-SVC-002"]),
        ("supervisor", ["ZJ-BOT-001", "ZJ-SVC-002"]),
        ("auditor", ["ZJ-BOT-001", "ZJ-SVC-002"]),
        ("admin", ["JS-JV-001", "ZJ-BOT-001", "ZJ-SVC-002"]),
        ("far_officer", ["JS-JV-001"]),
    ],
)
def test_each_persona_lists_exactly_its_agreements(world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(expected)
    assert sorted(a["reference"] for a in body["results"]) == expected


@pytest.mark.django_db
def test_anonymous_is_401_everywhere(world, client_for):
    client = client_for(None)
    before = snapshot(world.agreement)
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.agreement)).status_code == 401
    assert client.post(URL, new_body(world), format="json").status_code == 401
    assert client.patch(detail(world.agreement), {"title": "x"}, format="json").status_code == 401
    assert client.post(detail(world.agreement, "suspend/"), {"reason": "x"}, format="json").status_code == 401
    assert client.get(detail(world.agreement, "transitions/")).status_code == 401
    assert snapshot(world.agreement) == before
    assert not Agreement.objects.filter(reference="ZJ-PPP-003").exists()


@pytest.mark.django_db
def test_retrieve_renders_the_terms(world, client_for):
    a = world.agreement
    response = client_for(world.partner).get(detail(a))
    assert response.status_code == 200
    assert response.json() == {
        "id": a.pk,
        "reference": "ZJ-BOT-001",
        "title": "政务云 E-government cloud",
        "model": "BOT",
        "partnership": None,
        "government": world.bureau.pk,
        "partner": world.partner_org.pk,
        "description": "",
        "signed_on": a.signed_on.isoformat(),
        "starts_on": a.starts_on.isoformat(),
        "ends_on": a.ends_on.isoformat(),
        "value": "1000000.00",
        "currency": "CNY",
        "status": "active",
        "version": 1,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, foreign",
    [
        ("partner", "other_agreement"),
        ("other_partner", "agreement"),
        ("officer", "far_agreement"),
        ("supervisor", "far_agreement"),
        ("auditor", "far_agreement"),
        ("far_officer", "agreement"),
    ],
)
def test_foreign_agreement_is_404_on_every_endpoint_and_unchanged(world, client_for, persona, foreign):
    client = client_for(getattr(world, persona))
    target = getattr(world, foreign)
    before = snapshot(target)
    assert client.get(detail(target)).status_code == 404
    assert client.get(detail(target, "transitions/")).status_code == 404
    assert client.patch(detail(target), {"title": "Hijacked"}, format="json").status_code == 404
    for name in ("activate", "suspend", "terminate", "expire", "transfer"):
        response = client.post(detail(target, f"{name}/"), {"reason": "because"}, format="json")
        assert response.status_code == 404, name
        assert "reference" not in response.json()
    assert snapshot(target) == before


@pytest.mark.django_db
def test_filters(world, client_for):
    f.agreement(
        world.officer,
        world.bureau,
        world.partner_org,
        reference="ZJ-OM-009",
        model="OM",
        active=False,
        title="机房运维 Data-centre upkeep",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = client_for(world.officer)

    def refs(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return sorted(a["reference"] for a in response.json()["results"])

    assert refs(status="draft") == ["ZJ-OM-009"]
    assert refs(status="active") == ["ZJ-BOT-001", "ZJ-SVC-002"]
    assert refs(model="SERVICE") == ["ZJ-SVC-002"]
    assert refs(model=["SERVICE", "OM"]) == ["ZJ-OM-009", "ZJ-SVC-002"]
    assert refs(partner=world.partner_org.credit_code) == ["ZJ-BOT-001", "ZJ-OM-009"]
    assert refs(partner=str(world.other_partner_org.pk)) == ["ZJ-SVC-002"]
    assert refs(government=world.bureau.credit_code) == ["ZJ-BOT-001", "ZJ-OM-009", "ZJ-SVC-002"]
    # The filter never widens what a person sees.
    assert refs(government=world.far_bureau.credit_code) == []
    assert refs(reference="ZJ-SVC-002") == ["ZJ-SVC-002"]
    assert refs(search="city brain") == ["ZJ-SVC-002"]
    assert refs(search="om-0") == ["ZJ-OM-009"]
    soon = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert refs(ends_before=soon) == ["ZJ-OM-009"]
    assert refs(ends_after=soon) == ["ZJ-BOT-001", "ZJ-SVC-002"]
    bad = client.get(URL, {"status": "signed"})
    assert bad.status_code == 400 and set(bad.json()) == {"status"}
    bad = client.get(URL, {"ends_before": "31/12/2030"})
    assert bad.status_code == 400 and set(bad.json()) == {"ends_before"}


# --- registering ------------------------------------------------------------


@pytest.mark.django_db
def test_officer_registers_a_draft_with_version_one(world, client_for):
    response = client_for(world.officer).post(URL, new_body(world), format="json")
    assert response.status_code == 201, response.json()
    created = Agreement.objects.get(reference="ZJ-PPP-003")
    body = response.json()
    assert body["id"] == created.pk
    assert (body["status"], body["version"], body["government"], body["partner"]) == (
        "draft",
        1,
        world.bureau.pk,
        world.partner_org.pk,
    )
    assert created.created_by == world.officer
    version = AgreementVersion.objects.get(agreement=created)
    assert version.number == 1
    assert version.terms["ends_on"] == "2046-01-31"
    assert version.terms["value"] == "25000000.00"


@pytest.mark.django_db
def test_registered_under_a_partnership(world, client_for):
    project = Partnership.objects.create(name="P", government=world.bureau, partner=world.partner_org)
    response = client_for(world.officer).post(URL, new_body(world, partnership=project.pk), format="json")
    assert response.status_code == 201
    assert Agreement.objects.get(reference="ZJ-PPP-003").partnership == project


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "other_partner", "supervisor", "auditor", "far_officer"])
def test_only_officers_of_the_government_party_register(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(URL, new_body(world), format="json")
    assert response.status_code == 403
    assert not Agreement.objects.filter(reference="ZJ-PPP-003").exists()


@pytest.mark.django_db
def test_admin_registers_for_any_agency(world, client_for):
    response = client_for(world.admin).post(URL, new_body(world, government=world.far_bureau.pk), format="json")
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field",
    [
        ({"ends_on": "2026-01-20"}, "ends_on"),  # before starts_on
        ({"signed_on": "2047-01-01"}, "signed_on"),  # after ends_on
        ({"model": "BOTX"}, "model"),
        ({"model": "bot"}, "model"),
        ({"government": "partner_org"}, "government"),  # an enterprise as the government party
        ({"partner": "supervision_office"}, "partner"),  # a regulator as the partner
        ({"partner": 10**9}, "partner"),
        ({"partner": "91330000MA0000000X"}, "partner"),
        ({"partner": True}, "partner"),
        ({"reference": "ZJ-BOT-001"}, "reference"),  # taken
        ({"reference": ""}, "reference"),
        ({"value": "-1"}, "value"),
        ({"value": "lots"}, "value"),
        ({"currency": "rmb"}, "currency"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"status": "active"}, "status"),
        ({"version": 7}, "version"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_input_is_400_by_field_and_stores_nothing(world, client_for, over, field):
    body = new_body(world)
    for key, value in over.items():
        body[key] = getattr(world, value).pk if isinstance(value, str) and hasattr(world, value) else value
    # The admin may register for any agency, so a wrong party kind is the only thing wrong.
    client = client_for(world.admin if field == "government" else world.officer)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}, response.json()
    assert Agreement.objects.count() == 3


@pytest.mark.django_db
def test_missing_required_fields_are_listed(world, client_for):
    response = client_for(world.officer).post(URL, {"title": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reference", "model", "government", "partner", "starts_on", "ends_on"}


@pytest.mark.django_db
def test_malformed_json_is_400(world, client_for):
    response = client_for(world.officer).post(URL, '{"reference": "X",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert Agreement.objects.count() == 3


@pytest.mark.django_db
def test_partnership_between_other_parties_is_400(world, client_for):
    other = Partnership.objects.create(name="P2", government=world.bureau, partner=world.other_partner_org)
    response = client_for(world.officer).post(URL, new_body(world, partnership=other.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"partnership": ["The partnership must be between the same two parties."]}


@pytest.mark.django_db
def test_foreign_partnership_reads_as_unknown(world, client_for):
    far = Partnership.objects.create(name="Far", government=world.far_bureau, partner=world.far_agreement.partner)
    response = client_for(world.officer).post(URL, new_body(world, partnership=far.pk), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"partnership"}
    assert "Far" not in str(response.json())


# --- draft edits --------------------------------------------------------------


@pytest.fixture
def draft(world):
    return f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-DRAFT-1", active=False)


@pytest.mark.django_db
def test_officer_edits_a_draft_in_place(world, client_for, draft):
    response = client_for(world.officer).patch(
        detail(draft), {"title": "改名 Renamed", "ends_on": "2040-12-31"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["ends_on"], response.json()["version"]) == (
        "改名 Renamed",
        "2040-12-31",
        1,
    )
    draft.refresh_from_db()
    assert (draft.title, draft.ends_on) == ("改名 Renamed", datetime.date(2040, 12, 31))
    assert AgreementVersion.objects.get(agreement=draft, number=1).terms["title"] == "改名 Renamed"


@pytest.mark.django_db
def test_patching_an_agreement_in_force_is_409(world, client_for):
    before = snapshot(world.agreement)
    response = client_for(world.officer).patch(detail(world.agreement), {"title": "Quietly changed"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_draft"
    assert "amendment" in response.json()["detail"]
    assert snapshot(world.agreement) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_visible_but_not_managed_is_403(world, client_for, draft, persona):
    before = snapshot(draft)
    response = client_for(getattr(world, persona)).patch(detail(draft), {"title": "Mine now"}, format="json")
    assert response.status_code == 403
    assert snapshot(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"ends_on": (timezone.localdate() - datetime.timedelta(days=380)).isoformat()}, "ends_on"),
        ({"reference": "NEW-REF"}, "reference"),
        ({"government": 1}, "government"),
        ({"status": "active"}, "status"),
        ({"model": "NOPE"}, "model"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_draft_edit_is_400_and_changes_nothing(world, client_for, draft, body, field):
    before = snapshot(draft)
    response = client_for(world.officer).patch(detail(draft), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert snapshot(draft) == before


@pytest.mark.django_db
def test_put_is_not_offered(world, client_for, draft):
    assert client_for(world.officer).put(detail(draft), {"title": "x"}, format="json").status_code == 405
    assert client_for(world.officer).delete(detail(draft)).status_code == 405
    assert Agreement.objects.filter(pk=draft.pk).exists()


# --- lifecycle ---------------------------------------------------------------


@pytest.mark.django_db
def test_activate_a_draft_records_who_when_why(world, client_for, draft):
    started = timezone.now()
    response = client_for(world.officer).post(detail(draft, "activate/"), {"reason": "Signed 10 Jan"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    row = AgreementTransition.objects.get(agreement=draft)
    assert (row.from_status, row.to_status, row.actor, row.reason) == (
        "draft",
        "active",
        world.officer,
        "Signed 10 Jan",
    )
    assert started <= row.at <= timezone.now()


@pytest.mark.django_db
def test_suspend_then_reactivate_then_terminate(world, client_for):
    client = client_for(world.officer)
    a = world.agreement
    assert (
        client.post(detail(a, "suspend/"), {"reason": "Security incident under review"}, format="json").json()["status"]
        == "suspended"
    )
    assert client.post(detail(a, "activate/"), {"reason": "Review closed"}, format="json").json()["status"] == "active"
    assert (
        client.post(detail(a, "terminate/"), {"reason": "Breach of data terms"}, format="json").json()["status"]
        == "terminated"
    )
    rows = list(
        AgreementTransition.objects.filter(agreement=a).values_list(
            "from_status", "to_status", "reason", "actor__username"
        )
    )
    assert rows == [
        ("draft", "active", "Signed and approved", "officer"),
        ("active", "suspended", "Security incident under review", "officer"),
        ("suspended", "active", "Review closed", "officer"),
        ("active", "terminated", "Breach of data terms", "officer"),
    ]


@pytest.mark.django_db
def test_admin_may_transition(world, client_for):
    response = client_for(world.admin).post(
        detail(world.far_agreement, "suspend/"), {"reason": "Ordered"}, format="json"
    )
    assert response.status_code == 200
    assert AgreementTransition.objects.filter(
        agreement=world.far_agreement, actor=world.admin, to_status="suspended"
    ).exists()


@pytest.mark.django_db
def test_transfer_for_a_transfer_model(world, client_for):
    response = client_for(world.officer).post(
        detail(world.agreement, "transfer/"), {"reason": "Assets handed over"}, format="json"
    )
    assert response.status_code == 200
    assert Agreement.objects.get(pk=world.agreement.pk).status == "transferred"


@pytest.mark.django_db
def test_expire_after_the_end_date(world, client_for):
    ended = f.agreement(
        world.officer,
        world.bureau,
        world.partner_org,
        reference="ZJ-OLD-1",
        starts_on=timezone.localdate() - datetime.timedelta(days=800),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
        signed_on=timezone.localdate() - datetime.timedelta(days=900),
    )
    response = client_for(world.officer).post(detail(ended, "expire/"), {"reason": "Term over"}, format="json")
    assert response.status_code == 200
    assert Agreement.objects.get(pk=ended.pk).status == "expired"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "setup, action, code",
    [
        ([], "activate", "illegal_transition"),  # already active
        ([], "expire", "not_ended"),  # ends in five years
        (["terminate"], "activate", "illegal_transition"),  # terminated is final
        (["terminate"], "suspend", "illegal_transition"),
        (["suspend"], "transfer", "illegal_transition"),
        (["suspend"], "expire", "illegal_transition"),
    ],
)
def test_illegal_transition_is_409_and_changes_nothing(world, client_for, setup, action, code):
    client = client_for(world.officer)
    for step in setup:
        assert client.post(detail(world.agreement, f"{step}/"), {"reason": "setup"}, format="json").status_code == 200
    before = snapshot(world.agreement)
    response = client.post(detail(world.agreement, f"{action}/"), {"reason": "try"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert snapshot(world.agreement) == before


@pytest.mark.django_db
def test_service_agreement_is_not_transferred(world, client_for):
    before = snapshot(world.other_agreement)
    response = client_for(world.officer).post(
        detail(world.other_agreement, "transfer/"), {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_transferable"
    assert snapshot(world.other_agreement) == before


@pytest.mark.django_db
def test_draft_cannot_be_suspended(world, client_for, draft):
    response = client_for(world.officer).post(detail(draft, "suspend/"), {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert Agreement.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}, {"reason": "x", "why": "y"}])
def test_transition_needs_a_reason(world, client_for, body):
    before = snapshot(world.agreement)
    response = client_for(world.officer).post(detail(world.agreement, "suspend/"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"reason", "why"} and response.json()
    assert snapshot(world.agreement) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_visible_persona_may_not_transition(world, client_for, persona):
    before = snapshot(world.agreement)
    for name in ("suspend", "terminate", "transfer"):
        response = client_for(getattr(world, persona)).post(
            detail(world.agreement, f"{name}/"), {"reason": "x"}, format="json"
        )
        assert response.status_code == 403
    assert snapshot(world.agreement) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_timeline_is_readable_by_everyone_who_sees_the_agreement(world, client_for, persona):
    client_for(world.officer).post(detail(world.agreement, "suspend/"), {"reason": "Incident 42"}, format="json")
    response = client_for(getattr(world, persona)).get(detail(world.agreement, "transitions/"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["from_status"], r["to_status"], r["actor"], r["reason"]) for r in rows] == [
        ("draft", "active", "officer", "Signed and approved"),
        ("active", "suspended", "officer", "Incident 42"),
    ]
    assert all(r["at"] for r in rows)


@pytest.mark.django_db
def test_agreement_is_reached_by_reference_too(world, client_for):
    response = client_for(world.partner).get(f"{URL}ZJ-BOT-001/")
    assert response.status_code == 200
    assert response.json()["id"] == world.agreement.pk
    assert client_for(world.partner).get(f"{URL}ZJ-BOT-001/transitions/").status_code == 404  # nested routes take ids
    # A foreign reference is as unknown as a foreign id.
    assert client_for(world.other_partner).get(f"{URL}ZJ-BOT-001/").status_code == 404
    before = snapshot(world.agreement)
    response = client_for(world.other_partner).post(f"{URL}ZJ-BOT-001/suspend/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert snapshot(world.agreement) == before
    response = client_for(world.officer).post(f"{URL}ZJ-BOT-001/suspend/", {"reason": "Incident"}, format="json")
    assert response.status_code == 200
    assert Agreement.objects.get(pk=world.agreement.pk).status == "suspended"
