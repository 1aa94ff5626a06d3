"""Which real servers this run has, and what to do when a test needs one that is missing.

Without services the suite runs on SQLite and skips, with the reason, only the
tests that need a real server. With TRACKER_REQUIRE_SERVICES=1 (set by .ci/run)
a missing server fails those tests instead, so CI cannot pass by skipping.
"""

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlparse

from django.conf import settings

REQUIRE = os.environ.get("TRACKER_REQUIRE_SERVICES", "") in ("1", "true", "yes")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@cache
def missing(marker: str) -> str | None:
    """The reason a marker's server is missing, or None when it is there."""
    if marker == "needs_postgres":
        if settings.DB_VENDOR != "postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "needs_redis":
        if not _reachable(REDIS_URL, 6379):
            return f"needs Redis at {REDIS_URL}"
    elif marker == "needs_browser":
        if not shutil.which(CHROMIUM):
            return f"needs Debian's chromium at {CHROMIUM}"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None
