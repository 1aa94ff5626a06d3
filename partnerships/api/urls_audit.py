from django.urls import path

from partnerships.api.audit import AuditEntryDetail, AuditEntryList

urlpatterns = [
    path("audit/", AuditEntryList.as_view(), name="audit-list"),
    path("audit/<int:seq>/", AuditEntryDetail.as_view(), name="audit-detail"),
]
