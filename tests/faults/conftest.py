import pytest

# The worker harness of the reliability tests, so the fault suite starts workers the same way.
from tests.celery.conftest import broker, start_worker  # noqa: F401
from tests.faults.processes import PrivateRedis


@pytest.fixture(scope="module", autouse=True)
def _private_broker():
    """A Redis of the fault suite's own as the broker: the suite kills and floods it, and the
    machine's shared Redis may carry other runs' workers that would take these messages."""
    redis = PrivateRedis().start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_TEST_BROKER_URL", redis.url)
        yield redis
    redis.destroy()
