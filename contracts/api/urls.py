from django.urls import include, path

# One URL module per area, so each area's routes stay beside its views.
urlpatterns = [
    path("", include("contracts.api.urls_agreements")),
    path("", include("contracts.api.urls_grants")),
    path("", include("contracts.api.urls_usage")),
    path("", include("contracts.api.urls_accountability")),
    path("", include("contracts.api.urls_requests")),
]
