"""Query filters of the agreement lists."""

import django_filters
from django.db.models import Q

from contracts.codes import AgreementModel, AgreementStatus, MilestoneKind, MilestoneStatus
from contracts.models import Agreement, Milestone
from partnerships.api.fields import is_id


def _party(field: str):
    def apply(queryset, name, value):
        # A party is named by id or by its Unified Social Credit Code (18 characters, may be all digits).
        if is_id(value) and len(value) < 18:
            return queryset.filter(**{f"{field}_id": int(value)})
        return queryset.filter(**{f"{field}__credit_code": value})

    return apply


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    model = django_filters.MultipleChoiceFilter(choices=AgreementModel.choices)
    government = django_filters.CharFilter(method=_party("government"), help_text="Id or credit code.")
    partner = django_filters.CharFilter(method=_party("partner"), help_text="Id or credit code.")
    partnership = django_filters.NumberFilter(field_name="partnership_id")
    reference = django_filters.CharFilter(field_name="reference")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the title or reference.")
    ends_before = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte", help_text="Ends on or before.")
    ends_after = django_filters.DateFilter(field_name="ends_on", lookup_expr="gte", help_text="Ends on or after.")

    class Meta:
        model = Agreement
        fields = ["status", "model", "government", "partner", "partnership", "reference", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value))


class MilestoneFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=MilestoneStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        model = Milestone
        fields = ["kind", "status"]
