"""Processes the fault tests start, stop and kill: a private Redis, a beat, a worker's pool children."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a worker's pool children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the parent id follows the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class PrivateRedis:
    """A redis-server of the test's own with the append-only file on, fsynced at every write,
    so that a kill -9 and a restart keep every message it acknowledged."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def crash(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def llen(self, queue: str) -> int:
        return redis.Redis.from_url(self.url).llen(queue)

    def destroy(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.crash()


BEAT_RUNNER = """
import sys
from partnerships.celery import app
# The production schedule every second, so a test sees many beats' worth in a few seconds.
app.conf.beat_schedule = {
    name: {**entry, "schedule": 1.0}
    for name, entry in app.conf.beat_schedule.items()
    if name in ("sweep-pending-declarations", "retry-deliveries")
}
app.Beat(schedule=sys.argv[1], loglevel="INFO").run()
"""


class Beat:
    """A real ``celery beat`` process (the production schedule, compressed to 1 s periods)."""

    def __init__(self, log_dir: Path, env: dict):
        self.log_dir = log_dir
        self.env = env
        self.proc = None

    def start(self, n: int) -> "Beat":
        log = open(self.log_dir / f"beat-{n}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BEAT_RUNNER, str(self.log_dir / f"beat-{n}-schedule")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
