import json

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    """Parses the same JSON body and answers, touching neither the database nor auth:
    the floor that a declaration POST is compared with."""
    body = json.loads(request.body)
    return JsonResponse({"received": len(body)}, status=201)


urlpatterns = [path("bench/bare/", bare), path("", include("partnerships.urls"))]
