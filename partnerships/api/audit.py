"""GET /api/v1/audit/: the audit trail for auditors, filtered by object, actor and time."""

import django_filters
from django.db.models import Q
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from partnerships.actors import actor_for
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


class AuditEntryFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    action = django_filters.CharFilter(method="filter_action", help_text="An action (agreement.amend) or a prefix ending in a dot (grant.).")
    actor = django_filters.CharFilter(method="filter_actor", help_text="A user id or username.")
    organization = django_filters.NumberFilter(field_name="organization_id")
    request_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = []

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__startswith=value) if value.endswith(".") else queryset.filter(action=value)

    def filter_actor(self, queryset, name, value):
        by_name = Q(actor_username=value)
        return queryset.filter(by_name | Q(actor_id=int(value)) if value.isdigit() and len(value) < 19 else by_name)


class AuditEntryList(ListAPIView):
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter

    def get_queryset(self):
        return audit_entries_visible_to(actor_for(self.request.user)).order_by("-seq")


class AuditEntryDetail(RetrieveAPIView):
    serializer_class = AuditEntrySerializer
    lookup_field = "seq"

    def get_queryset(self):
        return audit_entries_visible_to(actor_for(self.request.user))
