"""Answers for /api/ requests that never reach a view: a path no route matches (404)
or an error outside DRF's handler (500). API clients get the JSON error shape the
schema documents; pages keep Django's HTML answers."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    return defaults.server_error(request)
