"""API throttles: a fixed number of requests per caller and window, exact under concurrency."""

import threading
from types import SimpleNamespace

import pytest
from django.core.cache.backends.redis import RedisCache

from partnerships.api.throttling import AnonRateThrottle, UserRateThrottle
from tests import factories as f
from tests import services


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.django_db
def test_the_window_ends_the_refusal_and_retry_after_says_when(monkeypatch, client_for):
    clock = Clock(1_800_000_120.0)  # the start of a minute
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    monkeypatch.setattr(UserRateThrottle, "timer", clock)
    api = client_for(f.user("steady"))
    assert [api.get("/api/schema/").status_code for _ in range(4)] == [200, 200, 200, 429]
    clock.now += 30.4
    response = api.get("/api/schema/")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"  # 29.6 s left, rounded up
    clock.now += 29.6  # the next minute
    assert [api.get("/api/schema/").status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.django_db
def test_each_caller_has_its_own_count(monkeypatch, client_for):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    monkeypatch.setattr(UserRateThrottle, "timer", Clock(1_800_000_000.0))
    first, second = client_for(f.user("first")), client_for(f.user("second"))
    assert [first.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]
    assert [second.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_callers_are_counted_by_address(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    monkeypatch.setattr(AnonRateThrottle, "timer", Clock(1_800_000_000.0))

    def request(address):
        return SimpleNamespace(user=SimpleNamespace(is_authenticated=False), headers={}, META={"REMOTE_ADDR": address})

    throttle = AnonRateThrottle()
    assert [throttle.allow_request(request("10.0.0.1"), None) for _ in range(3)] == [True, True, False]
    assert throttle.allow_request(request("10.0.0.2"), None) is True


@pytest.mark.needs_redis
def test_a_shared_counter_is_exact_under_concurrent_requests(monkeypatch):
    """Eight threads (as many web processes) share one Redis counter: exactly the rate gets through.
    A history read and written back whole, as DRF keeps it, loses concurrent appends."""
    shared = RedisCache(services.REDIS_URL, {})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "50/minute", "anon": "50/minute"})
    monkeypatch.setattr(UserRateThrottle, "timer", Clock(1_800_000_060.0))
    monkeypatch.setattr(UserRateThrottle, "cache", shared)
    caller = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=987_654_321))
    key = f"{UserRateThrottle().get_cache_key(caller, None)}:{1_800_000_060 // 60}"
    shared.delete(key)
    allowed = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def calls():
        start.wait()
        mine = sum(UserRateThrottle().allow_request(caller, None) for _ in range(25))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sum(allowed) == 50
        assert shared.get(key) == 200  # every request counted, refused ones too
    finally:
        shared.delete(key)
