"""Query filters of the parties' lists."""

import django_filters
from django.db.models import Q

from partnerships.codes import OrganizationKind
from partnerships.models import Organization, Partnership


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    region_code = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", help_text="Region code or its prefix (33 = Zhejiang)."
    )
    credit_code = django_filters.CharFilter(field_name="credit_code")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the name, English name or credit code."
    )

    class Meta:
        model = Organization
        fields = ["kind", "region_code", "credit_code", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(credit_code__iexact=value))


class PartnershipFilter(django_filters.FilterSet):
    # Bounded to what an id column holds: a huge number was a 500 on SQLite (integer overflow).
    government = django_filters.NumberFilter(field_name="government_id", min_value=0, max_value=2**63 - 1)
    partner = django_filters.NumberFilter(field_name="partner_id", min_value=0, max_value=2**63 - 1)
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Partnership
        fields = ["government", "partner", "search"]
