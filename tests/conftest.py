import pytest

from tests import services
from tests.personas import *  # noqa: F401,F403  (fixtures)

SERVICE_MARKERS = ("needs_postgres", "needs_redis", "needs_browser")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in SERVICE_MARKERS:
            if item.get_closest_marker(marker) is None:
                continue
            reason = services.missing(marker)
            if reason is None:
                continue
            if services.REQUIRE:
                item.add_marker(pytest.mark.usefixtures("_service_required"))
                item.user_properties.append(("missing_service", reason))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _service_required(request):
    reasons = [value for key, value in request.node.user_properties if key == "missing_service"]
    pytest.fail(f"TRACKER_REQUIRE_SERVICES is on but a server is missing: {'; '.join(reasons)}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every persona has a password; the production hasher's 10^6 rounds would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
