"""Production settings plus one bare JSON endpoint, for bench/api.py only."""

from partnerships.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
