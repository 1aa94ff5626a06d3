# The worker harness of the reliability tests, so the fault suite starts workers the same way.
from tests.celery.conftest import broker, start_worker  # noqa: F401
