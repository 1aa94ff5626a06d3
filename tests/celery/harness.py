"""A real Celery worker process on a real Redis, against the pytest database.

The worker is started with ``celery -A partnerships worker`` in its own process
group (so SIGKILL takes the pool children too), reads the test database through
DATABASE_URL, and consumes a dedicated Redis database that is flushed first. The
test process publishes to the same broker.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import redis
from kombu import pools
from django.db import connection

from partnerships.celery import app
from tests import services

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def broker_url() -> str:
    """The Redis of REDIS_URL, database 13: kept apart from the CI broker (14) and caches (15)."""
    parsed = urlparse(services.REDIS_URL)
    return os.environ.get("TRACKER_TEST_BROKER_URL", f"redis://{parsed.hostname or '127.0.0.1'}:{parsed.port or 6379}/13")


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Worker:
    def __init__(self, log_dir: Path, **env):
        self.log_dir = log_dir
        self.env = env
        self.proc = None
        self.log_path = None
        self.starts = 0

    def start(self, ready_timeout: float = 60):
        self.starts += 1
        self.log_path = self.log_dir / f"worker-{self.starts}.log"
        env = os.environ | {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "SCOPE_SCAN_SETTLE_SECONDS": "0",
            "DECLARATION_SWEEP_AFTER_SECONDS": "0",
            "NOTIFICATION_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",  # the test receivers listen on the loopback
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "PYTHONUNBUFFERED": "1",
        } | {k: str(v) for k, v in self.env.items()}
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [CELERY, "-A", "partnerships", "worker", "--loglevel=INFO", "--concurrency=2",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_for(lambda: self._ready() or self._died(), timeout=ready_timeout, what="the worker to be ready")
        if self.proc.poll() is not None:
            raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.log()}")
        return self

    def _ready(self) -> bool:
        return " ready." in self.log()

    def _died(self) -> bool:
        return self.proc.poll() is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def kill(self):
        """SIGKILL the whole worker: main process and pool children, no warm shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def point_app_at(url: str) -> str:
    """Make this process publish to ``url``; returns the previous broker URL."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting: move both.
    os.environ["CELERY_BROKER_URL"] = url
    # Drop every cached connection and producer (kombu keeps them in global pools per URL).
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    return previous


def flush_broker():
    redis.Redis.from_url(broker_url()).flushdb()


def queued(queue: str) -> int:
    return redis.Redis.from_url(broker_url()).llen(queue)
