import pytest

from tests.celery.harness import Worker, broker_url, flush_broker, point_app_at


@pytest.fixture
def broker():
    """This process publishes to the dedicated, flushed test broker for the test's duration."""
    flush_broker()
    previous = point_app_at(broker_url())
    yield broker_url()
    point_app_at(previous)


@pytest.fixture
def start_worker(transactional_db, broker, tmp_path):
    """start_worker(**env) -> a running Worker; every worker is stopped before the database is flushed."""
    workers = []

    def start(**env):
        worker = Worker(tmp_path, **env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
