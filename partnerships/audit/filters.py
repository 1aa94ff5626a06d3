"""Filters over the audit trail, shared by the API and the page."""

import django_filters
from django.db.models import Q

from partnerships.api.fields import is_id
from partnerships.api.instants import UtcIsoDateTimeFilter
from partnerships.models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    action = django_filters.CharFilter(
        method="filter_action", help_text="An action (agreement.amend) or a prefix ending in a dot (grant.)."
    )
    actor = django_filters.CharFilter(method="filter_actor", help_text="A user id or username.")
    organization = django_filters.NumberFilter(field_name="organization_id")
    request_id = django_filters.CharFilter()
    since = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = []

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__startswith=value) if value.endswith(".") else queryset.filter(action=value)

    def filter_actor(self, queryset, name, value):
        by_name = Q(actor_username=value)
        return queryset.filter(by_name | Q(actor_id=int(value)) if is_id(value) else by_name)
