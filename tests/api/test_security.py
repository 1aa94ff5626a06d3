import pytest
from django.core.cache import cache
from partnerships.api.throttling import UserRateThrottle

from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_login_is_locked_after_five_failures_even_with_the_right_password(client):
    f.user("clerk", is_staff=True, password="right-password-2026")
    statuses = [client.post("/admin/login/", {"username": "clerk", "password": "wrong"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the pair out
    response = client.post("/admin/login/", {"username": "clerk", "password": "right-password-2026"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_other_usernames_are_not_locked_by_someone_elses_failures(client):
    f.user("clerk", is_staff=True, password="right-password-2026")
    f.user("colleague", is_staff=True, password="other-password-2026")
    for _ in range(5):
        client.post("/admin/login/", {"username": "clerk", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "colleague", "password": "other-password-2026"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_api_throttle_answers_429_with_retry_after(monkeypatch, client_for):
    user = f.user("busy")
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    # Half a minute into a fixed window: slow requests must not cross into the next window.
    monkeypatch.setattr(UserRateThrottle, "timer", staticmethod(lambda: 1_800_000_030.0))
    api = client_for(user)
    statuses = [api.get("/api/schema/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/schema/")
    assert response.headers["Retry-After"] == "30"


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/healthz")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_metrics_are_exposed_in_prometheus_format(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert 'tracker_http_requests_total{method="GET",route="healthz",status="200"}' in response.content.decode()


def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
