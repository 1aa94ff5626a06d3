from django.urls import include, path

urlpatterns = [
    path("", include("partnerships.api.urls_audit")),
]
