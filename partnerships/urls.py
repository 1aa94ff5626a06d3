from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partnerships import health, metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, which the content security policy allows.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("partnerships.api.urls")),
    path("api/v1/", include("contracts.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Pages (server-rendered), one URL module per app.
    path("", include("partnerships.audit.urls")),
    path("", include("partnerships.urls_pages")),
    path("", include("contracts.urls_pages")),
    path("", include("notifications.urls_pages")),
]

# /api/ paths that match no route answer in the API's JSON error shape.
handler404 = "partnerships.api.fallback.not_found"
handler500 = "partnerships.api.fallback.server_error"
