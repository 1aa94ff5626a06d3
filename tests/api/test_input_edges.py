"""Unusual input that used to answer 500: each is now a 4xx naming the field, or an empty answer.

Python's str.isdigit() is true for "²" and "①", which int() refuses, and for full-width
"３", which int() reads as 3; regular expressions' \\d matches full-width digits too.
"""

import datetime

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration
from contracts.selectors.grant_request_stats import grant_request_stats
from partnerships.actors import actor_for
from partnerships.models import Organization, Partnership
from partnerships.validators import make_credit_code

pytestmark = pytest.mark.django_db

# Digits int() refuses, and numbers past PostgreSQL's bigint.
ODD_IDS = ["²", "①", "1²", "9" * 19, "1" * 40]


def full_width(number: int) -> str:
    """An id as an input method may type it: "１２" for 12, which int() reads as 12."""
    return "".join(chr(ord(digit) + 0xFEE0) for digit in str(number))


def client(client_for, user):
    c = client_for(user)
    c.raise_request_exception = False  # a 500 is an answer to assert on, not an exception in the test
    return c


# Filters that name a party, agreement or dataset by id or code: a value that is neither
# finds nothing, as an unknown code does ("?government=abc" is an empty page too).
LIST_FILTERS = [
    "/api/v1/agreements/?government={}",
    "/api/v1/agreements/?partner={}",
    "/api/v1/permissions/?agreement={}",
    "/api/v1/permissions/?dataset={}",
    "/api/v1/responsibilities/?agreement={}",
    "/api/v1/responsibilities/?party={}",
    "/api/v1/datasets/?owner={}",
]


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize("url", LIST_FILTERS)
def test_a_filter_with_an_odd_id_finds_nothing(world, client_for, url, value):
    response = client(client_for, world.officer).get(url.format(value))
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize(
    "url",
    ["/api/v1/responsibilities/gaps/?agreement={}", "/api/v1/datasets/{}/", "/api/v1/agreements/{}/ocds/"],
)
def test_an_object_named_by_an_odd_id_is_404(world, client_for, url, value):
    response = client(client_for, world.officer).get(url.format(value))
    assert response.status_code == 404


@pytest.mark.parametrize("value", ODD_IDS)
def test_stats_for_an_agency_named_by_an_odd_id_is_400(world, client_for, value):
    response = client(client_for, world.officer).get("/api/v1/grant-requests/stats/", {"agency": value})
    assert response.status_code == 400
    assert response.json() == {"agency": [f"No organization with id or code {value}."]}


@pytest.mark.parametrize("value", ODD_IDS)
def test_audit_trail_by_an_odd_actor_id_is_empty(world, client_for, value):
    response = client(client_for, world.auditor).get("/api/v1/audit/", {"actor": value})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ["²", "①", "３", "9" * 19])
def test_odrl_for_an_odd_version_number_is_400(world, client_for, value):
    url = f"/api/v1/permissions/{world.permission.pk}/odrl/"
    response = client(client_for, world.officer).get(url, {"version": value})
    assert response.status_code == 400
    assert response.json() == {"version": ["Give a version number (1, 2, ...)."]}


def test_a_real_id_in_full_width_digits_names_nothing(world, client_for):
    # Was read as the id: a code field's text matched an object by a number the client never wrote.
    c = client(client_for, world.officer)
    assert c.get("/api/v1/agreements/", {"government": full_width(world.bureau.pk)}).json()["count"] == 0
    assert c.get(f"/api/v1/datasets/{full_width(world.dataset.pk)}/").status_code == 404
    assert c.get(f"/api/v1/agreements/{full_width(world.agreement.pk)}/ocds/").status_code == 404
    assert c.get("/api/v1/responsibilities/gaps/", {"agreement": full_width(world.agreement.pk)}).status_code == 404
    audit = client(client_for, world.auditor).get("/api/v1/audit/", {"actor": full_width(world.officer.pk)})
    assert audit.json()["count"] == 0


def test_a_real_id_still_names_the_object(world, client_for):
    c = client(client_for, world.officer)
    assert c.get("/api/v1/agreements/", {"government": str(world.bureau.pk)}).json()["count"] == 2
    assert c.get(f"/api/v1/datasets/{world.dataset.pk}/").json()["code"] == "POP-STATS"
    assert c.get(f"/api/v1/agreements/{world.agreement.pk}/ocds/").status_code == 200
    gaps = c.get("/api/v1/responsibilities/gaps/", {"agreement": str(world.agreement.pk)})
    assert gaps.json()["agreement_reference"] == "ZJ-BOT-001"
    assert c.get(f"/api/v1/permissions/{world.permission.pk}/odrl/", {"version": "1"}).status_code == 200
    actor = client(client_for, world.auditor).get("/api/v1/audit/", {"actor": str(world.officer.pk)})
    assert actor.status_code == 200 and actor.json()["count"] > 0


def _declaration(**over):
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return {
        "agreement": "ZJ-BOT-001",
        "dataset": "POP-STATS",
        "period_start": end.replace(day=1).isoformat(),
        "period_end": end.isoformat(),
        "purpose": "ImprovePublicServices",
        "actions": ["read", "aggregate"],
        "record_count": 1200,
        "recipients": [],
        **over,
    }


@pytest.mark.parametrize("value", ODD_IDS)
def test_declaration_for_an_agreement_named_by_an_odd_id_is_400(world, client_for, value):
    response = client(client_for, world.partner).post(
        "/api/v1/declarations/", _declaration(agreement=value), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"agreement": [f"No agreement with id or code {value[:64]}."]}
    assert not UsageDeclaration.objects.exists()


@pytest.mark.parametrize("value", ["²", "①", "9" * 19, 10**19, -(10**19)])
def test_partnership_with_a_government_named_by_an_odd_id_is_400(world, client_for, value):
    body = {"name": "Odd", "government": value, "partner": world.partner_org.pk}
    response = client(client_for, world.officer).post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["government"]
    assert not Partnership.objects.filter(name="Odd").exists()


GOOD_CODE = make_credit_code("91", "330100", "77770001")


def _organization(**over):
    return {
        "name": "新公司 New Co",
        "kind": "enterprise",
        "credit_code": GOOD_CODE,
        "region_code": "330100",
        **over,
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("credit_code", GOOD_CODE[:2] + "３" + GOOD_CODE[3:]),  # the region part: \d took it, the check sum did not
        ("credit_code", GOOD_CODE[:7] + "²" + GOOD_CODE[8:]),
        ("region_code", "33０１００"),
        ("region_code", "3301①0"),
    ],
)
def test_organization_codes_with_non_ascii_digits_are_400(world, client_for, field, value):
    body = _organization(**{field: value})
    response = client(client_for, world.admin).post("/api/v1/organizations/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Organization.objects.filter(name="新公司 New Co").exists()


@pytest.mark.parametrize(
    "query", [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"to": "2201-01-01"}, {"from": "1899-12-31"}]
)
def test_stats_period_outside_1900_to_2200_is_400(world, client_for, query):
    response = client(client_for, world.officer).get("/api/v1/grant-requests/stats/", query)
    assert response.status_code == 400
    assert response.json() == {name: ["Give a date between 1900 and 2200."] for name in query}


def test_stats_period_at_its_bounds_is_counted(world, client_for):
    query = {"from": "1900-01-01", "to": "2200-12-31"}
    response = client(client_for, world.officer).get("/api/v1/grant-requests/stats/", query)
    assert response.status_code == 200
    assert response.json()["filters"]["to"] == "2200-12-31"


def test_stats_selector_for_a_period_ending_9999_12_31_counts_to_the_end(world):
    # The selector serves callers other than the API; the day after 9999-12-31 was an OverflowError.
    stats = grant_request_stats(actor=actor_for(world.officer), date_to=datetime.date.max)
    assert stats["total"]["received"] == 0


def test_stats_period_message_is_translated(world, client_for):
    response = client(client_for, world.officer).get(
        "/api/v1/grant-requests/stats/", {"to": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json() == {"to": ["请填写 1900 年至 2200 年之间的日期。"]}


@pytest.mark.parametrize("at", ["9999-12-31T23:00:00Z", "9999-12-31T16:00:00Z"])
def test_gaps_at_an_instant_past_year_9999_in_local_time_is_400(world, client_for, at):
    # 9999-12-31T23:00Z is 10000-01-01T07:00 in Asia/Shanghai, which the answer could not show.
    query = {"agreement": "ZJ-BOT-001", "at": at}
    response = client(client_for, world.officer).get("/api/v1/responsibilities/gaps/", query)
    assert response.status_code == 400
    assert response.json() == {"at": ["This instant is out of range."]}


@pytest.mark.parametrize(
    "at", ["9999-12-31", "9999-12-01", "0001-01-01", "2201-01-01T00:00:00+08:00", "1899-12-31T12:00:00+08:00"]
)
def test_accountability_outside_1900_to_2200_is_400(world, client_for, at):
    url = f"/api/v1/agreements/{world.agreement.pk}/accountability/"
    response = client(client_for, world.officer).get(url, {"at": at})
    assert response.status_code == 400
    assert response.json() == {"at": ["Give an instant between 1900 and 2200."]}


@pytest.mark.parametrize("at", ["1900-01-01T00:00:00+08:00", "2200-12-31T23:59:59+08:00"])
def test_accountability_at_the_bounds_is_a_report(world, client_for, at):
    url = f"/api/v1/agreements/{world.agreement.pk}/accountability/"
    response = client(client_for, world.officer).get(url, {"at": at})
    assert response.status_code == 200
    assert response.json()["agreement"]["reference"] == "ZJ-BOT-001"


def test_accountability_message_is_translated(world, client_for):
    url = f"/api/v1/agreements/{world.agreement.pk}/accountability/"
    response = client(client_for, world.officer).get(url, {"at": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json() == {"at": ["请填写 1900 年至 2200 年之间的时刻。"]}


# A time without an offset is read in Asia/Shanghai; DRF then checks it by converting it to UTC,
# which overflows for the first hours of the year 1.
YEAR_ONE = "0001-01-01T00:00:00"


def _year_one_targets(world):
    """(user, method, path in the schema, url, fields) of every request body with a time a client writes."""
    from contracts.services.grant_requests import grant_request_submit
    from notifications.services.alerts import alert_raise
    from tests import factories as f

    partner = actor_for(world.partner)
    grant_request = grant_request_submit(
        actor=partner, agreement=world.agreement, kind="new", dataset=world.personal_dataset,
        justification="Clinic waiting times", actions=["read"], purposes=["PublicBenefit"],
    )  # fmt: skip
    alert, _ = alert_raise(
        kind="quota_exceeded", dedup_key="year-one", summary="Quota exceeded", severity="warning",
        agreement=world.agreement, dataset=world.dataset, government_id=world.agreement.government_id,
        partner_id=world.agreement.partner_id, accountable_party_id=world.agreement.partner_id,
    )  # fmt: skip
    assignment = f.assign(world.officer, world.agreement, "data_security", world.partner_org)
    grant = ("valid_from", "valid_until")
    return [
        (world.officer, "post", "/api/v1/permissions/", "/api/v1/permissions/", grant),
        (world.officer, "patch", "/api/v1/permissions/{id}/", f"/api/v1/permissions/{world.permission.pk}/", grant),
        (world.partner, "post", "/api/v1/alerts/{id}/request/", f"/api/v1/alerts/{alert.pk}/request/", grant),
        (world.partner, "post", "/api/v1/grant-requests/", "/api/v1/grant-requests/", grant),
        (world.officer, "post", "/api/v1/grant-requests/{id}/approve/", f"/api/v1/grant-requests/{grant_request.pk}/approve/", grant),
        (world.officer, "post", "/api/v1/responsibilities/", "/api/v1/responsibilities/", ("valid_from", "valid_to")),
        (world.officer, "post", "/api/v1/responsibilities/{id}/end/", f"/api/v1/responsibilities/{assignment.pk}/end/", ("valid_to",)),
        (world.supervisor, "post", "/api/v1/silences/", "/api/v1/silences/", ("starts_at", "ends_at")),
    ]  # fmt: skip


def test_the_year_one_without_an_offset_is_a_field_error_wherever_a_time_is_written(world, client_for):
    answers = {}
    for user, method, _, url, fields in _year_one_targets(world):
        for field in fields:
            response = getattr(client(client_for, user), method)(url, {field: YEAR_ONE}, format="json")
            answers[(url, field)] = (response.status_code, field in response.json())
    assert answers == {key: (400, True) for key in answers}


def test_every_date_time_a_client_writes_is_covered_above(world):
    """Generated from the OpenAPI schema, so a new endpoint with a time in its body is not forgotten."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    written = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method not in ("post", "put", "patch") or body is None:
                continue
            ref = body["schema"].get("$ref", "")
            properties = components[ref.split("/")[-1]] if ref else body["schema"]
            for name, spec in (properties.get("properties") or {}).items():
                if spec.get("format") == "date-time" and not spec.get("readOnly"):
                    written.add((method, path, name))
    covered = {(m, path, field) for _, m, path, _, fields in _year_one_targets(world) for field in fields}
    assert written - covered == set()


@pytest.mark.parametrize("value", ODD_IDS)
def test_a_silence_naming_an_agreement_by_an_odd_id_is_400(world, client_for, value):
    ends = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    response = client(client_for, world.supervisor).post(
        "/api/v1/silences/", {"matchers": {"agreement": value}, "ends_at": ends, "reason": "Planned reload"}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["matchers"])
