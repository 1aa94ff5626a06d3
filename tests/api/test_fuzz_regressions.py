"""Bugs the schema fuzzer found, each pinned by the request that found it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("at", ["1340-07-12T18:38:41.40+20:41", "0514-09-19T05:13:01+20:19"])
def test_instant_with_an_offset_postgres_refuses_is_read_in_utc(world, client_for, at):
    # Was a 500: PostgreSQL refuses UTC offsets beyond +-15:59 that ISO-8601 allows.
    client = client_for(world.officer)
    assert client.get("/api/v1/permissions/", {"at": at}).status_code == 200
    assert client.get(f"/api/v1/permissions/{world.permission.pk}/", {"at": at}).status_code == 404


def test_instant_before_year_one_in_utc_is_400(world, client_for):
    response = client_for(world.officer).get("/api/v1/permissions/", {"at": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400
    assert list(response.json()) == ["at"]


def test_unknown_api_path_answers_json_404(world, client_for):
    # Was Django's HTML page: a path value the route's pattern refuses never reaches a view.
    response = client_for(world.officer).get("/api/v1/agreements/%C2%84/amendments/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_page_path_stays_html(world, client_for):
    response = client_for(world.officer).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_refused_download_is_a_json_error(world, client_for):
    # Was the error dict's keys as the body, typed */*: the download renderer passed the dict through.
    response = client_for(world.officer).get(f"/api/v1/agreements/{world.agreement.pk}/documents/999999/download/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No Document matches the given query."}


def test_refused_download_as_octet_stream_is_still_the_json_error(world, client_for):
    url = f"/api/v1/agreements/{world.far_agreement.pk}/documents/1/download/"
    response = client_for(world.officer).get(url, HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No Agreement matches the given query."}


def test_schema_documents_error_answers(client_for, world):
    paths = client_for(world.officer).get("/api/schema/?format=json").json()["paths"]
    revoke = paths["/api/v1/permissions/{id}/revoke/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "429"} <= set(revoke)
    assert revoke["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    listing = paths["/api/v1/agreements/"]["get"]["responses"]
    assert "404" in listing  # a page past the end
    assert "409" not in listing  # reads never conflict
    odrl = paths["/api/v1/permissions/{id}/odrl/"]["get"]["responses"]["404"]["content"]
    assert set(odrl) == {"application/json", "application/ld+json"}


def test_audit_and_alert_filters_read_offsets_postgres_refuses(world, client_for):
    # Was a 500 on /api/v1/audit/?since=0065-01-13T22:25:29-16:31 (same cause as ?at= above).
    assert client_for(world.admin).get("/api/v1/audit/", {"since": "2026-01-13T22:25:29-16:31"}).status_code == 200
    alerts = client_for(world.supervisor).get("/api/v1/alerts/", {"last_seen_after": "2026-01-13T22:25:29-16:31"})
    assert alerts.status_code == 200


def test_huge_organization_id_in_a_filter_is_400(world, client_for):
    # Was a 500 on SQLite: the number overflowed the integer column's type.
    response = client_for(world.officer).get("/api/v1/partnerships/", {"partner": "-1.3816584531594277e+193"})
    assert response.status_code == 400
    assert list(response.json()) == ["partner"]


@pytest.mark.django_db
def test_an_unknown_format_is_a_400_naming_the_parameter(world, client_for):
    response = client_for(world.officer).get("/api/v1/grant-requests/stats/", {"format": "xml"})
    assert response.status_code == 400
    assert "format" in response.json()


@pytest.mark.django_db
def test_errors_are_json_even_when_csv_was_asked_for(world, client_for):
    response = client_for(world.officer).get("/api/v1/grant-requests/stats/", {"format": "csv", "from": "not-a-date"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "from" in response.json() or "date_from" in response.json()


@pytest.mark.django_db
def test_a_grant_request_dated_in_the_13th_century_is_a_400(world, client_for):
    body = {
        "agreement": world.agreement.pk,
        "kind": "change",
        "permission": world.permission.pk,
        "justification": "More",
        "actions": ["read", "aggregate", "derive"],
        "purposes": ["PublicBenefit"],
        "valid_from": "1275-12-28T01:23:41+16:05",
    }
    response = client_for(world.partner).post("/api/v1/grant-requests/", body, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_grant_request_filter_with_an_offset_postgresql_refuses_is_not_a_500(world, client_for):
    response = client_for(world.partner).get(
        "/api/v1/grant-requests/", {"submitted_after": "1275-12-28T01:23:41.336717+16:05"}
    )
    assert response.status_code in (200, 400)
