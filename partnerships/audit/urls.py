from django.urls import path

from partnerships.audit.views import audit_trail

urlpatterns = [
    path("audit/", audit_trail, name="audit-trail"),
]
