import datetime

import pytest

from contracts.models import Agreement, AgreementVersion
from tests import factories as f


def url(agreement, suffix=""):
    return f"/api/v1/agreements/{agreement.pk}/amendments/{suffix}"


def amend(client, agreement, **over):
    body = {
        "rationale": "Extension approved by the provincial government, decision 2026-17",
        "effective_on": "2026-03-01",
        "changes": {"ends_on": "2035-12-31", "value": "1500000.00"},
    }
    body.update(over)
    return client.post(url(agreement), body, format="json")


def versions(agreement):
    return list(AgreementVersion.objects.filter(agreement=agreement).order_by("number").values_list("number", "terms"))


@pytest.mark.django_db
def test_amendment_adds_a_version_and_keeps_the_old_one(world, client_for):
    a = world.agreement
    old_terms = AgreementVersion.objects.get(agreement=a, number=1).terms
    response = amend(client_for(world.officer), a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 2
    assert body["rationale"] == "Extension approved by the provincial government, decision 2026-17"
    assert body["effective_on"] == "2026-03-01"
    assert body["created_by"] == "officer"
    assert body["changes"] == {
        "ends_on": [old_terms["ends_on"], "2035-12-31"],
        "value": ["1000000.00", "1500000.00"],
    }
    assert body["terms"] == old_terms | {"ends_on": "2035-12-31", "value": "1500000.00"}

    a.refresh_from_db()
    assert (a.version, a.ends_on, str(a.value)) == (2, datetime.date(2035, 12, 31), "1500000.00")

    # The original stays readable with its original terms.
    first = client_for(world.partner).get(url(a, "1/"))
    assert first.status_code == 200
    assert first.json()["terms"] == old_terms
    assert first.json()["changes"] == {}
    listing = client_for(world.partner).get(url(a)).json()
    assert [v["number"] for v in listing["results"]] == [1, 2]
    assert listing["results"][0]["terms"] == old_terms


@pytest.mark.django_db
def test_successive_amendments_each_keep_their_terms(world, client_for):
    client = client_for(world.officer)
    assert amend(client, world.agreement, changes={"title": "二期 Phase two"}).status_code == 201
    assert amend(client, world.agreement, changes={"title": "三期 Phase three", "currency": "USD"}).status_code == 201
    titles = [(n, t["title"], t["currency"]) for n, t in versions(world.agreement)]
    assert titles == [
        (1, "政务云 E-government cloud", "CNY"),
        (2, "二期 Phase two", "CNY"),
        (3, "三期 Phase three", "USD"),
    ]
    response = client.get(url(world.agreement, "2/"))
    assert response.json()["terms"]["title"] == "二期 Phase two"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_everyone_who_sees_the_agreement_reads_its_versions(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(url(world.agreement))
    assert response.status_code == 200
    [only] = response.json()["results"]
    assert (only["number"], only["created_by"], only["documents"]) == (1, "officer", [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, foreign",
    [
        ("other_partner", "agreement"),
        ("partner", "other_agreement"),
        ("far_officer", "agreement"),
        ("auditor", "far_agreement"),
    ],
)
def test_foreign_agreement_versions_are_404_and_unchanged(world, client_for, persona, foreign):
    target = getattr(world, foreign)
    client = client_for(getattr(world, persona))
    before = versions(target)
    assert client.get(url(target)).status_code == 404
    assert client.get(url(target, "1/")).status_code == 404
    assert amend(client, target).status_code == 404
    assert versions(target) == before


@pytest.mark.django_db
def test_anonymous_is_401(world, client_for):
    assert client_for(None).get(url(world.agreement)).status_code == 401
    assert amend(client_for(None), world.agreement).status_code == 401
    assert len(versions(world.agreement)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_visible_persona_may_not_amend(world, client_for, persona):
    response = amend(client_for(getattr(world, persona)), world.agreement)
    assert response.status_code == 403
    assert len(versions(world.agreement)) == 1
    assert Agreement.objects.get(pk=world.agreement.pk).version == 1


@pytest.mark.django_db
def test_unknown_version_is_404(world, client_for):
    assert client_for(world.officer).get(url(world.agreement, "9/")).status_code == 404


@pytest.mark.django_db
def test_a_draft_is_edited_not_amended(world, client_for):
    draft = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-DRAFT-2", active=False)
    response = amend(client_for(world.officer), draft)
    assert response.status_code == 409
    assert response.json()["code"] == "not_amendable"
    assert len(versions(draft)) == 1


@pytest.mark.django_db
def test_a_terminated_agreement_is_not_amended(world, client_for):
    client = client_for(world.officer)
    client.post(
        f"/api/v1/agreements/{world.agreement.pk}/terminate/", {"reason": "Ended by court order"}, format="json"
    )
    response = amend(client, world.agreement)
    assert response.status_code == 409
    assert len(versions(world.agreement)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, errors",
    [
        ({"changes": {"reference": "NEW"}}, {"changes": {"reference": ["Unknown field."]}}),
        ({"changes": {"government": 1}}, {"changes": {"government": ["Unknown field."]}}),
        (
            {"changes": {"ends_on": "2000-01-01"}},
            {
                "changes": {
                    "ends_on": ["The end date must not be before the start date."],
                    "signed_on": ["The signing date must not be after the end date."],
                }
            },
        ),
        (
            {"changes": {"starts_on": "2036-01-01", "ends_on": "2035-01-01"}},
            {"changes": {"ends_on": ["The end date must not be before the start date."]}},
        ),
        ({"changes": {"model": "XYZ"}}, {"changes": {"model": ['"XYZ" is not a valid choice.']}}),
        ({"changes": {"value": "-5"}}, {"changes": {"value": ["Ensure this value is greater than or equal to 0."]}}),
        ({"changes": {}}, {"changes": {"non_field_errors": ["Name at least one term to change."]}}),
        ({"changes": {"title": "政务云 E-government cloud"}}, {"changes": ["The amendment changes nothing."]}),
        ({"rationale": ""}, {"rationale": ["This field may not be blank."]}),
        ({"rationale": "   "}, {"rationale": ["This field may not be blank."]}),
        (
            {"effective_on": "soon"},
            {"effective_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            {"changes": "ends_on=2030"},
            {"changes": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}},
        ),
        ({"documents": [1]}, {"documents": ["Unknown field."]}),
    ],
)
def test_bad_amendment_is_400_by_field_and_changes_nothing(world, client_for, over, errors):
    before = (versions(world.agreement), Agreement.objects.get(pk=world.agreement.pk).ends_on)
    response = amend(client_for(world.officer), world.agreement, **over)
    assert response.status_code == 400
    assert response.json() == errors
    assert (versions(world.agreement), Agreement.objects.get(pk=world.agreement.pk).ends_on) == before


@pytest.mark.django_db
def test_malformed_json_is_400(world, client_for):
    response = client_for(world.officer).post(url(world.agreement), "{rationale:", content_type="application/json")
    assert response.status_code == 400
    assert len(versions(world.agreement)) == 1
