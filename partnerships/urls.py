from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from partnerships import health, metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("partnerships.api.urls")),
    path("api/v1/", include("contracts.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partnerships.audit.urls")),
    # Pages (server-rendered) are added by the web interface.
]

# /api/ paths that match no route answer in the API's JSON error shape.
handler404 = "partnerships.api.fallback.not_found"
handler500 = "partnerships.api.fallback.server_error"
