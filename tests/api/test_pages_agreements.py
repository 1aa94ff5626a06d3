"""Agreement pages: who sees what, forms and their inline errors (Django test client)."""

import datetime

import pytest
from django.test import Client

from contracts.models import Agreement, AgreementTransition, AgreementVersion

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def new_agreement_data(world, **overrides):
    data = {
        "reference": "ZJ-PPP-777",
        "title": "Smart water",
        "model": "BOT",
        "government": world.bureau.pk,
        "partner": world.partner_org.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2035-12-31",
        "signed_on": "",
        "value": "1000",
        "currency": "CNY",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_agreement_pages_open_for_each_persona_that_may_see_them(world, persona):
    client = page_client(getattr(world, persona))
    assert client.get("/agreements/").status_code == 200
    response = client.get(f"/agreements/{world.agreement.pk}/")
    assert response.status_code == 200
    assert response.context["agreement"] == world.agreement
    assert response.context["manages"] is (persona in ("officer", "admin"))


@pytest.mark.parametrize(
    "persona, foreign",
    [("partner", "other_agreement"), ("other_partner", "agreement"), ("far_officer", "agreement"), ("supervisor", "far_agreement"), ("auditor", "far_agreement")],
)
def test_a_foreign_agreement_is_404_on_every_page(world, persona, foreign):
    client = page_client(getattr(world, persona))
    pk = getattr(world, foreign).pk
    for url in ("/", "edit/", "status/", "grants/new/", "responsibilities/new/"):
        response = client.get(f"/agreements/{pk}/{url}".replace("//", "/"))
        assert response.status_code == 404, url
        assert getattr(world, foreign).title.encode() not in response.content


def test_the_list_shows_only_visible_agreements_and_searches_them(world):
    client = page_client(world.partner)
    assert [a.reference for a in client.get("/agreements/").context["page"]] == ["ZJ-BOT-001"]
    officer = page_client(world.officer)
    assert [a.reference for a in officer.get("/agreements/?q=city").context["page"]] == ["ZJ-SVC-002"]
    assert [a.reference for a in officer.get("/agreements/?model=SERVICE").context["page"]] == ["ZJ-SVC-002"]
    assert list(officer.get("/agreements/?status=draft").context["page"]) == []


def test_a_visible_agreement_someone_may_not_change_is_403(world):
    for persona in ("partner", "supervisor", "auditor"):
        client = page_client(getattr(world, persona))
        assert client.get(f"/agreements/{world.agreement.pk}/edit/").status_code == 403
        assert client.post(f"/agreements/{world.agreement.pk}/status/", {"action": "suspend", "reason": "x"}).status_code == 403
        assert client.get("/agreements/new/").status_code == 403
    assert Agreement.objects.get(pk=world.agreement.pk).status == "active"


def test_officer_registers_an_agreement(world):
    response = page_client(world.officer).post("/agreements/new/", new_agreement_data(world))
    agreement = Agreement.objects.get(reference="ZJ-PPP-777")
    assert (response.status_code, response["Location"]) == (302, f"/agreements/{agreement.pk}/")
    assert (agreement.status, agreement.government, agreement.partner) == ("draft", world.bureau, world.partner_org)
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_service_refusals_show_beside_the_fields_and_store_nothing(world):
    client = page_client(world.officer)
    response = client.post("/agreements/new/", new_agreement_data(world, ends_on="2025-01-01"))
    assert response.status_code == 200
    assert field_errors(response, "ends_on") == ["The end date must not be before the start date."]
    # The message sits beside the field and the field points to it, for screen readers too.
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_ends_on_error"' in html
    assert '<ul class="field-errors" id="id_ends_on_error"><li>The end date must not be before the start date.</li></ul>' in html
    response = client.post("/agreements/new/", new_agreement_data(world, reference="ZJ-BOT-001"))
    assert field_errors(response, "reference") == ["An agreement with this reference already exists."]
    # A partner organization offered as government is not even a choice.
    response = client.post("/agreements/new/", new_agreement_data(world, government=world.far_bureau.pk))
    assert field_errors(response, "government") == ["Select a valid choice. That choice is not one of the available choices."]
    assert b'class="field-errors"' in response.content
    assert not Agreement.objects.filter(reference="ZJ-PPP-777").exists()


def test_a_draft_is_edited_in_place(world):
    from tests import factories as f

    draft = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-DRAFT-2", active=False)
    client = page_client(world.officer)
    form = client.get(f"/agreements/{draft.pk}/edit/").context["form"]
    assert "rationale" not in form.fields
    data = {k: v for k, v in form.initial.items()}
    data.update(title="Renamed draft", signed_on="", starts_on=str(draft.starts_on), ends_on=str(draft.ends_on), description="")
    response = client.post(f"/agreements/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Renamed draft", 1)


def test_an_agreement_in_force_is_amended_as_a_new_version(world):
    client = page_client(world.officer)
    a = world.agreement
    data = {
        "rationale": "",
        "effective_on": "2026-07-01",
        "title": a.title,
        "model": a.model,
        "signed_on": str(a.signed_on),
        "starts_on": str(a.starts_on),
        "ends_on": str(a.ends_on + datetime.timedelta(days=365)),
        "value": str(a.value),
        "currency": a.currency,
        "description": "",
    }
    response = client.post(f"/agreements/{a.pk}/edit/", data)
    assert field_errors(response, "rationale") == ["This field is required."]
    data["rationale"] = "Extended by one year"
    response = client.post(f"/agreements/{a.pk}/edit/", data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.version == 2
    v2 = AgreementVersion.objects.get(agreement=a, number=2)
    assert list(v2.changes) == ["ends_on"]
    assert AgreementVersion.objects.get(agreement=a, number=1).terms["ends_on"] != v2.terms["ends_on"]
    page = client.get(f"/agreements/{a.pk}/")
    assert "Extended by one year" in page.content.decode()


def test_status_changes_need_a_reason_and_an_allowed_move(world):
    client = page_client(world.officer)
    url = f"/agreements/{world.agreement.pk}/status/"
    response = client.post(url, {"action": "suspend", "reason": ""})
    assert field_errors(response, "reason") == ["This field is required."]
    # Expiring before the end date is refused by the service, shown on top of the form.
    response = client.post(url, {"action": "expire", "reason": "Too early"})
    assert [str(e) for e in response.context["form"].non_field_errors()] == ["An agreement expires only after its end date."]
    assert AgreementTransition.objects.filter(agreement=world.agreement).count() == 1
    response = client.post(url, {"action": "suspend", "reason": "Security incident under review"})
    assert response.status_code == 302
    world.agreement.refresh_from_db()
    assert world.agreement.status == "suspended"
    timeline = client.get(f"/agreements/{world.agreement.pk}/").content.decode()
    assert "Security incident under review" in timeline


def test_officer_records_phases_and_milestones_with_inline_errors(world):
    client = page_client(world.officer)
    url = f"/agreements/{world.agreement.pk}/phases/"
    response = client.post(url, {"kind": "build", "planned_start": "2026-03-01", "planned_end": "2026-01-01"})
    assert response.status_code == 200
    assert field_errors(response, "planned_end") == ["The end date must not be before the start date."]
    assert client.post(url, {"kind": "build", "planned_start": "2026-01-01", "planned_end": "2026-12-31"}).status_code == 302
    assert list(world.agreement.phases.values_list("kind", "planned_end")) == [("build", datetime.date(2026, 12, 31))]
    assert client.get(f"{url}?kind=build").context["form"].initial["planned_start"] == datetime.date(2026, 1, 1)

    url = f"/agreements/{world.agreement.pk}/milestones/new/"
    response = client.post(url, {"kind": "obligation", "title": " ", "due_on": "2026-06-30", "responsible": world.partner_org.pk})
    assert field_errors(response, "title") == ["A title is required."]
    data = {"kind": "obligation", "title": "Annual security audit", "due_on": "2026-06-30", "responsible": world.partner_org.pk}
    assert client.post(url, data).status_code == 302
    milestone = world.agreement.milestones.get()
    assert (milestone.title, milestone.responsible, milestone.status) == ("Annual security audit", world.partner_org, "scheduled")
    assert "Annual security audit" in client.get(f"/agreements/{world.agreement.pk}/").content.decode()
    # Others may read the agreement but not record its phases.
    assert page_client(world.partner).get(url).status_code == 403
    assert page_client(world.other_partner).get(url).status_code == 404
