"""GET /api/v1/audit/: the audit trail for auditors, filtered by object, actor and time."""

from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from partnerships.actors import actor_for
from partnerships.audit.filters import AuditEntryFilter
from partnerships.audit.selectors import audit_entries_visible_to
from partnerships.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", default=None, read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "at",
            "actor",
            "actor_username",
            "organization",
            "organization_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditEntryList(ListAPIView):
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return AuditEntry.objects.none()
        return audit_entries_visible_to(actor_for(self.request.user)).order_by("-seq")


class AuditEntryDetail(RetrieveAPIView):
    serializer_class = AuditEntrySerializer
    lookup_field = "seq"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        return audit_entries_visible_to(actor_for(self.request.user))
