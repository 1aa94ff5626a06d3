"""The project's URLs plus the floors a declaration POST is measured against (bench/api.py).

Each floor adds one layer that every authenticated, audited write must pay, so the
figures show where a declaration's time goes and how far above the floors it sits.
"""

import json

from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.actors import actor_for
from partnerships.audit import audit_record


@csrf_exempt
def bare(request):
    """Parses the same JSON body and answers, touching neither the database nor auth:
    the floor that a declaration POST is compared with."""
    body = json.loads(request.body)
    return JsonResponse({"received": len(body)}, status=201)


class Authenticated(APIView):
    """The API's own layers: token lookup, permission, throttle, parsing, rendering."""

    def post(self, request):
        return Response({"received": len(request.data)}, status=201)


class AuditedWrite(APIView):
    """Plus what any change must do: the caller's memberships, and one audit entry
    committed in a transaction of its own (synchronous commit)."""

    def post(self, request):
        actor = actor_for(request.user)
        with transaction.atomic():
            entry = audit_record(actor=actor, action="bench.write", object_type="bench", object_id="1")
        return Response({"received": len(request.data), "seq": entry.seq}, status=201)


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/authenticated/", Authenticated.as_view()),
    path("bench/audited-write/", AuditedWrite.as_view()),
    path("", include("partnerships.urls")),
]
