"""API throttles that cost the same at any rate: one counter per caller and window.

DRF's own rate throttles keep the timestamp of every request of the last period in
the cache, read and written back whole on each request: at 3,000 a minute that is a
list of 3,000 floats unpickled and pickled per request (with CACHE_URL, sent to Redis
and back), and two web processes appending at once overwrite each other, so a busy
caller is under-counted. These count requests in fixed windows with the cache's
increment instead, which Redis performs atomically: a caller gets at most the rate's
number of requests per window, however many processes serve it.
"""

from rest_framework import throttling


class WindowCounterMixin:
    """Replaces SimpleRateThrottle's history with a counter for the current window."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        return self._count(f"{self.key}:{window}") <= self.num_requests

    def _count(self, key: str) -> int:
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request
            # add() only creates an absent key: of two first requests, one creates it and
            # the other increments what the first created.
            if self.cache.add(key, 1, self.duration):
                return 1
            return self.cache.incr(key)

    def wait(self):
        """Seconds until the window ends (the Retry-After of a 429)."""
        return max(self.window_ends - self.now, 0)


class UserRateThrottle(WindowCounterMixin, throttling.UserRateThrottle):
    """Requests per signed-in user or token (scope "user")."""


class AnonRateThrottle(WindowCounterMixin, throttling.AnonRateThrottle):
    """Requests per anonymous address (scope "anon")."""
