import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_schema_generates():
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/organizations/",
        "/api/v1/users/",
        "/api/v1/partnerships/",
        "/api/v1/agreements/",
        "/api/v1/agreements/{id}/activate/",
        "/api/v1/agreements/{agreement_id}/transitions/",
        "/api/v1/agreements/{agreement_id}/amendments/",
        "/api/v1/agreements/{agreement_id}/phases/",
        "/api/v1/agreements/{agreement_id}/milestones/",
        "/api/v1/agreements/{agreement_id}/documents/",
        "/api/v1/agreements/{agreement_id}/documents/{id}/download/",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    # The assets it names are served from this deployment's static files.
    from django.contrib.staticfiles import finders

    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_healthz():
    assert APIClient().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_reports_database_ok():
    response = APIClient().get("/readyz")
    # The broker may be down on a developer machine; the database must be up.
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert response.status_code == (200 if checks["broker"] == "ok" else 503)
