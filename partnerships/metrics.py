"""Prometheus metrics: request counts and latency here; domain gauges are added by
the apps that own the data (they register collectors with ``REGISTRY``).

Each web process keeps its own counters; scrape every process, or run gunicorn with
one worker per container, as usual for prometheus_client without multiprocess mode.
"""

import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import Resolver404, resolve
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

REQUESTS = Counter("tracker_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "tracker_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _route(path: str) -> str:
    # The URL pattern, not the path, so ids do not explode the label set.
    try:
        return resolve(path).route or "other"
    except Resolver404:
        return "unmatched"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request.path_info)
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response


def metrics_view(request):
    token = settings.METRICS_TOKEN
    if token:
        if request.headers.get("Authorization", "") != f"Bearer {token}":
            return HttpResponseForbidden("metrics need the bearer token")
    elif settings.PRODUCTION:
        return HttpResponseForbidden("set METRICS_TOKEN to expose metrics in production")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
