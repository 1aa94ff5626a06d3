from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api.grant_request_stats import GrantRequestStatsView
from contracts.api.grant_requests import GrantRequestViewSet

router = SimpleRouter()
router.register("grant-requests", GrantRequestViewSet, basename="grant-request")

# The stats path comes first: the router would otherwise read "stats" as a request id.
urlpatterns = [
    path("grant-requests/stats/", GrantRequestStatsView.as_view(), name="grant-request-stats"),
    *router.urls,
]
