from django.urls import path

from contracts.api import exports

urlpatterns = [
    path("agreements/<str:pk>/ocds/", exports.AgreementOcdsView.as_view(), name="agreement-ocds"),
    path("ocds/", exports.OcdsBulkView.as_view(), name="ocds-bulk"),
    path("permissions/<int:pk>/odrl/", exports.PermissionOdrlView.as_view(), name="permission-odrl"),
]
