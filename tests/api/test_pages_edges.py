"""Pages at the edges of their input: never a 500, errors beside the fields, nothing stored.

Each test posts or asks for what used to break a page (a 500, a field error
lost, an internal field code shown to people, an action offered that is always refused).
"""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from contracts.models import (
    Agreement,
    AgreementTransition,
    DataUsePermission,
    GrantRequest,
    ResponsibilityAssignment,
    UsageDeclaration,
)
from contracts.services.declarations import declaration_submit
from partnerships.actors import actor_for
from partnerships.views.forms import apply_service_error
from tests import factories as f

pytestmark = pytest.mark.django_db

OUT_OF_YEARS = "Give a date between 1900 and 2200."
SELECT_VALID = "Select a valid choice. That choice is not one of the available choices."


def page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def field_errors(response, field, form="form"):
    return [str(e) for e in response.context[form].errors.get(field, [])]


def top_errors(response):
    return [str(e) for e in response.context["form"].non_field_errors()]


# D1: the grant form's numbers have the API's limits.

GRANT = {
    "actions": ["read"],
    "purposes": ["PublicBenefit"],
    "valid_from": "2027-01-01T00:00",
    "valid_until": "2027-12-31T00:00",
    "quota_count": "5000",
    "quota_interval": "month",
    "quota_unit": "records",
    "declaration_schedule": "monthly",
    "declaration_due_days": "10",
}

LIMITS = [
    ("declaration_due_days", "99999999999", "Ensure this value is less than or equal to 366."),
    ("declaration_due_days", "3000000", "Ensure this value is less than or equal to 366."),
    ("declaration_due_days", "367", "Ensure this value is less than or equal to 366."),
    ("quota_count", "99999999999999999999", f"Ensure this value is less than or equal to {2**63 - 1}."),
    ("delete_within_days", "36501", "Ensure this value is less than or equal to 36500."),
]


@pytest.mark.parametrize("field, value, message", LIMITS)
def test_the_grant_page_refuses_numbers_beyond_the_apis_limits(world, field, value, message):
    data = GRANT | {"dataset": world.personal_dataset.pk, field: value}
    response = page_client(world.officer).post(f"/agreements/{world.agreement.pk}/grants/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert response.context["form"].data[field] == value  # what was typed stays in the field
    assert not DataUsePermission.objects.filter(dataset=world.personal_dataset).exists()


def test_the_grant_page_takes_the_limits_themselves_and_not_one_more(world):
    client = page_client(world.officer)
    url = f"/agreements/{world.agreement.pk}/grants/new/"
    data = GRANT | {"dataset": world.personal_dataset.pk, "quota_count": str(2**63 - 1), "delete_within_days": "36500"}
    response = client.post(url, data | {"declaration_due_days": "367"})
    assert response.context["form"].errors == {"declaration_due_days": ["Ensure this value is less than or equal to 366."]}
    response = client.post(url, data | {"declaration_due_days": "366"})
    grant = DataUsePermission.objects.get(dataset=world.personal_dataset)
    assert (response.status_code, response["Location"]) == (302, f"/grants/{grant.pk}/")
    assert (grant.declaration_due_days, grant.quota_count, grant.delete_within_days) == (366, 2**63 - 1, 36500)


@pytest.mark.parametrize("field, value, message", LIMITS)
def test_the_grant_request_page_refuses_numbers_beyond_the_apis_limits(world, field, value, message):
    data = GRANT | {
        "agreement": world.agreement.pk,
        "dataset": world.personal_dataset.pk,
        "justification": "Wait-time dashboard",
        field: value,
    }
    response = page_client(world.partner).post("/grant-requests/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not GrantRequest.objects.exists()


def test_the_limit_is_explained_in_chinese(world):
    data = GRANT | {"dataset": world.personal_dataset.pk, "declaration_due_days": "3000000"}
    response = page_client(world.officer).post(
        f"/agreements/{world.agreement.pk}/grants/new/", data, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert field_errors(response, "declaration_due_days") == ["确保该值小于或等于366。"]


# D2: odd query strings.


def test_a_nul_in_the_agreement_search_is_dropped(world):
    response = page_client(world.officer).get("/agreements/", {"q": "ZJ-BOT\x00-001"})
    assert response.status_code == 200
    assert response.context["filters"]["q"] == "ZJ-BOT-001"
    assert [a.reference for a in response.context["page"]] == ["ZJ-BOT-001"]


def test_a_nul_in_the_phase_kind_is_no_phase(world):
    response = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/phases/", {"kind": "a\x00b"})
    assert response.status_code == 200
    assert response.context["form"].initial == {}


@pytest.mark.parametrize("value", ["²", "①", "３", "99999999999999999999"])
def test_a_declaration_list_filter_that_is_no_id_is_ignored(world, value):
    declaration_submit(actor=actor_for(world.partner), **declaration_terms(world))
    response = page_client(world.partner).get("/declarations/", {"agreement": value})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize("value", ["²", "①"])
def test_a_correction_of_something_that_is_no_id_is_a_new_declaration(world, value):
    response = page_client(world.partner).get("/declarations/new/", {"supersedes": value})
    assert response.status_code == 200
    assert response.context["correcting"] is None


# D3: far-off days in page filters.


@pytest.mark.parametrize("at", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_the_matrix_as_of_a_far_off_day_is_a_field_error(world, at):
    response = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/", {"at": at})
    assert response.status_code == 200
    assert response.context["matrix_form"].errors == {"at": [OUT_OF_YEARS]}
    assert abs(response.context["matrix_at"] - timezone.now()) < datetime.timedelta(minutes=1)
    # The last day of 2200 is one the matrix is shown for.
    response = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/", {"at": "2200-12-31"})
    assert response.status_code == 200
    assert response.context["matrix_form"].errors == {}
    assert timezone.localtime(response.context["matrix_at"]).date() == datetime.date(2200, 12, 31)


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_stats_page_refuses_far_off_days(world, field, day):
    response = page_client(world.officer).get("/grant-requests/stats/", {field: day})
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [OUT_OF_YEARS]}
    response = page_client(world.officer).get("/grant-requests/stats/", {"date_from": "1900-01-01", "date_to": "2200-12-31"})
    assert response.status_code == 200
    assert response.context["form"].errors == {}


@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-01T00:00:00"])
def test_the_audit_trail_since_the_year_one_is_a_400_naming_the_filter(world, since):
    response = page_client(world.auditor).get("/audit/", {"since": since})
    assert response.status_code == 400
    assert response.context["filters"].form.errors == {"since": ["This instant is out of range."]}
    assert list(response.context["page"]) == []


def test_the_audit_trail_until_the_year_one_with_a_good_since_names_only_until(world):
    response = page_client(world.auditor).get("/audit/", {"since": "2020-01-01", "until": "0001-01-01"})
    assert response.status_code == 400
    assert response.context["filters"].form.errors == {"until": ["This instant is out of range."]}


# D4: a responsibility valid from the year one.


def test_the_responsibility_page_refuses_the_year_one(world):
    data = {"area": "data_security", "party": world.partner_org.pk, "raci": "A", "valid_from": "0001-01-01T00:00"}
    response = page_client(world.officer).post(f"/agreements/{world.agreement.pk}/responsibilities/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"valid_from": [OUT_OF_YEARS]}
    assert not ResponsibilityAssignment.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("valid_from", "1899-12-31T12:00:00+08:00"),
        ("valid_from", "9999-12-31T23:59:59"),
        ("valid_to", "2201-01-01T00:00:00+08:00"),
    ],
)
def test_the_responsibility_api_refuses_far_off_years(world, client_for, field, value):
    body = {
        "agreement": world.agreement.reference,
        "area": "data_security",
        "party": world.partner_org.credit_code,
        "raci": "A",
        "valid_from": "2026-01-01T00:00:00+08:00",
        field: value,
    }
    response = client_for(world.officer).post("/api/v1/responsibilities/", body, format="json")
    assert (response.status_code, response.json()) == (400, {field: [OUT_OF_YEARS]})
    assert not ResponsibilityAssignment.objects.exists()


# D8, D9: correcting declarations.


def declaration_terms(world, **overrides):
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    terms = {
        "agreement": world.agreement,
        "dataset": world.dataset,
        "period_start": end.replace(day=1),
        "period_end": end,
        "purpose": "ImprovePublicServices",
        "actions": ["read"],
        "record_count": 1200,
    }
    return terms | overrides


def correction_data(declaration, **overrides):
    data = {
        "agreement": declaration.agreement_id,
        "dataset": declaration.dataset_id,
        "period_start": str(declaration.period_start),
        "period_end": str(declaration.period_end),
        "purpose": declaration.purpose,
        "actions": declaration.actions,
        "record_count": "1500",
        "note": "",
        "supersedes": declaration.pk,
    }
    return data | overrides


def test_correcting_an_already_corrected_declaration_says_why(world):
    first = declaration_submit(actor=actor_for(world.partner), **declaration_terms(world))
    declaration_submit(actor=actor_for(world.partner), **declaration_terms(world, supersedes=first, record_count=1300))
    response = page_client(world.partner).post("/declarations/new/", correction_data(first))
    assert response.status_code == 200
    assert top_errors(response) == ["That declaration was already corrected; correct the latest one."]
    assert "<li>That declaration was already corrected; correct the latest one.</li>" in response.content.decode()
    assert UsageDeclaration.objects.count() == 2


def test_a_hidden_fields_error_is_shown_on_top_of_the_form(world):
    foreign = declaration_submit(
        actor=actor_for(world.other_partner), **declaration_terms(world, agreement=world.other_agreement)
    )
    mine = declaration_submit(actor=actor_for(world.partner), **declaration_terms(world))
    response = page_client(world.partner).post("/declarations/new/", correction_data(mine, supersedes=foreign.pk))
    assert response.status_code == 200
    assert field_errors(response, "supersedes") == [SELECT_VALID]
    assert f"<li>{SELECT_VALID}</li>" in response.content.decode()
    assert UsageDeclaration.objects.count() == 2


def test_a_declaration_for_an_ungranted_dataset_can_be_corrected_on_the_page(world):
    # Stored (and flagged by the scope check) though the partner has no grant for that dataset.
    flagged = declaration_submit(actor=actor_for(world.partner), **declaration_terms(world, dataset=world.personal_dataset))
    # What another partner declared is not this partner's to choose.
    traffic = f.dataset("TRAFFIC", world.bureau)
    declaration_submit(
        actor=actor_for(world.other_partner), **declaration_terms(world, agreement=world.other_agreement, dataset=traffic)
    )
    client = page_client(world.partner)
    form = client.get("/declarations/new/", {"supersedes": flagged.pk}).context["form"]
    assert [d.code for d in form.fields["dataset"].queryset] == ["HEALTH-REC", "POP-STATS"]
    response = client.post("/declarations/new/", correction_data(flagged))
    correction = UsageDeclaration.objects.get(supersedes=flagged)
    assert (response.status_code, response["Location"]) == (302, f"/declarations/{correction.pk}/")
    assert (correction.dataset, correction.record_count) == (world.personal_dataset, 1500)


# D10: pages refuse what the API refuses.


def new_agreement_data(world, **overrides):
    data = {
        "reference": "ZJ-PPP-777",
        "title": "Smart water",
        "model": "BOT",
        "government": world.bureau.pk,
        "partner": world.partner_org.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2035-12-31",
        "value": "1000",
        "currency": "CNY",
    }
    return data | overrides


@pytest.mark.parametrize("currency", ["cny", "C1Y", "ＣＮＹ", "¥"])
def test_the_agreement_page_refuses_a_currency_the_api_refuses(world, currency):
    response = page_client(world.officer).post("/agreements/new/", new_agreement_data(world, currency=currency))
    assert response.status_code == 200
    assert field_errors(response, "currency") == ["An ISO 4217 currency code: three capital letters, e.g. CNY."]
    assert response.context["form"].data["currency"] == currency
    assert not Agreement.objects.filter(reference="ZJ-PPP-777").exists()


def test_the_currency_error_is_in_chinese_for_a_chinese_reader(world):
    response = page_client(world.officer).post(
        "/agreements/new/", new_agreement_data(world, currency="rmb"), HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert field_errors(response, "currency") == ["请填写 ISO 4217 币种代码：三个大写字母，例如 CNY。"]
    assert not Agreement.objects.filter(reference="ZJ-PPP-777").exists()


def test_a_declaration_note_longer_than_the_api_takes_is_a_field_error(world):
    data = correction_data(UsageDeclaration(**declaration_terms(world)), supersedes="", note="x" * 4001)
    response = page_client(world.partner).post("/declarations/new/", data)
    assert response.status_code == 200
    assert field_errors(response, "note") == ["Ensure this value has at most 4000 characters (it has 4001)."]
    assert not UsageDeclaration.objects.exists()


# D12: a service's refusal reads as a sentence, not as an internal field code.


class _NameForm(forms.Form):
    name = forms.CharField()
    attachment = forms.FileField(required=False)


def test_service_errors_off_the_form_go_on_top_without_their_code():
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    error = ValidationError(
        {"non_field_errors": ["Nothing new."], "__all__": ["Refused."], "matchers": ["Bad matcher."], "name": ["Too short."]}
    )
    apply_service_error(form, error)
    assert form.non_field_errors() == ["Nothing new.", "Refused.", "Bad matcher."]
    assert form.errors["name"] == ["Too short."]


def test_a_view_may_name_the_form_field_of_a_service_field():
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    apply_service_error(form, ValidationError({"file": ["Too large."]}), fields={"file": "attachment"})
    assert form.errors == {"attachment": ["Too large."]}


def test_a_change_request_asking_for_nothing_new_says_so_plainly(world):
    client = page_client(world.partner)
    initial = client.get(f"/grant-requests/new/?permission={world.permission.pk}").context["form"].initial
    data = {name: value for name, value in initial.items() if value is not None}
    data.update(
        permission=world.permission.pk,
        recipients=[],
        valid_from=timezone.localtime(initial["valid_from"]).strftime("%Y-%m-%dT%H:%M"),
        valid_until=timezone.localtime(initial["valid_until"]).strftime("%Y-%m-%dT%H:%M"),
        justification="Same again",
    )
    response = client.post("/grant-requests/new/", data)
    assert response.status_code == 200
    assert top_errors(response) == ["The request asks for nothing the grant does not already give."]
    assert "non_field_errors" not in response.content.decode()
    assert not GrantRequest.objects.exists()


def test_a_refused_attachment_shows_beside_the_attachment_field(world, settings):
    settings.GRANT_REQUEST_ATTACHMENT_MAX_BYTES = 10
    data = GRANT | {
        "agreement": world.agreement.pk,
        "dataset": world.personal_dataset.pk,
        "justification": "Wait-time dashboard",
        "attachment": SimpleUploadedFile("plan.pdf", b"x" * 11, "application/pdf"),
    }
    response = page_client(world.partner).post("/grant-requests/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"attachment": ["The file is larger than 10 bytes."]}
    assert not GrantRequest.objects.exists()


# D15: the status form offers only what can succeed.


def offered(response):
    return [name for name, _label in response.context["form"].fields["action"].widget.choices]


def test_a_service_agreement_is_not_offered_the_handover_and_is_told_why_when_it_is_posted(world):
    response = page_client(world.officer).get(f"/agreements/{world.other_agreement.pk}/status/")
    assert response.status_code == 200
    assert offered(response) == ["suspend", "terminate"]
    detail = page_client(world.officer).get(f"/agreements/{world.other_agreement.pk}/")
    assert [name for name, _label in detail.context["transition_form"].fields["action"].widget.choices] == [
        "suspend",
        "terminate",
    ]
    url = f"/agreements/{world.other_agreement.pk}/status/"
    response = page_client(world.officer).post(url, {"action": "transfer", "reason": "Handover"})
    assert response.status_code == 200
    assert top_errors(response) == ["Only BOT, BOOT, BTO, TOT and ROT agreements are transferred."]
    assert AgreementTransition.objects.filter(agreement=world.other_agreement).count() == 1


def test_a_bot_agreement_is_offered_the_handover_but_not_expiry_before_its_end(world):
    response = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/status/")
    assert offered(response) == ["suspend", "terminate", "transfer"]


def test_an_agreement_past_its_end_date_is_offered_expiry(world):
    today = timezone.localdate()
    ended = f.agreement(
        world.officer,
        world.bureau,
        world.partner_org,
        model="SERVICE",
        starts_on=today - datetime.timedelta(days=800),
        ends_on=today - datetime.timedelta(days=1),
        signed_on=today - datetime.timedelta(days=900),
    )
    response = page_client(world.officer).get(f"/agreements/{ended.pk}/status/")
    assert offered(response) == ["suspend", "terminate", "expire"]
    response = page_client(world.officer).post(f"/agreements/{ended.pk}/status/", {"action": "expire", "reason": "Ended"})
    assert response.status_code == 302
    ended.refresh_from_db()
    assert ended.status == "expired"
