"""/api/v1/datasets/: the government data catalogue that grants name."""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from contracts.api.grants_common import OfficersWrite, by_id_or_code, request_actor
from contracts.codes import Grade, PersonalInfo
from contracts.models import Dataset
from contracts.selectors.grants import datasets_visible_to
from contracts.services.datasets import dataset_create
from partnerships.api.fields import IdOrCodeRelatedField, is_id
from partnerships.models import Organization


class OwnerField(IdOrCodeRelatedField):
    """The owning agency, by id or credit code, among the organizations of the officer's jurisdiction."""

    def __init__(self, **kwargs):
        super().__init__(code_field="credit_code", label_text="organization", **kwargs)

    def get_queryset(self):
        actor = request_actor(self.context["request"])
        if actor.is_admin:
            return Organization.objects.all()
        q = Q(pk__in=[])
        for prefix in actor.regions("officer"):
            q |= Q(region_code__startswith=prefix)
        return Organization.objects.filter(q)


class DatasetSerializer(serializers.ModelSerializer):
    owner = OwnerField()
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Dataset
        fields = ["id", "code", "name", "name_en", "owner", "owner_name", "grade", "personal_info", "description", "created_at"]
        read_only_fields = ["id", "created_at"]
        # The service answers a duplicate code with a field-level message, inside its transaction.
        extra_kwargs = {"code": {"validators": []}}


class DatasetFilter(django_filters.FilterSet):
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    personal_info = django_filters.ChoiceFilter(choices=PersonalInfo.choices)
    owner = django_filters.CharFilter(method="filter_owner", help_text="Owner id or credit code.")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the code or name.")

    class Meta:
        model = Dataset
        fields = ["grade", "personal_info", "owner", "search"]

    def filter_owner(self, queryset, name, value):
        return by_id_or_code(queryset, "owner", "credit_code", value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value))


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Id or code.")])
)
class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = DatasetSerializer
    permission_classes = [OfficersWrite]
    filterset_class = DatasetFilter
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return datasets_visible_to(request_actor(self.request))

    def get_object(self):
        # Clients know datasets by code as well as by id.
        value = self.kwargs["pk"]
        queryset = self.get_queryset()
        if is_id(value):
            found = queryset.filter(pk=int(value)).first()
            if found is not None:
                return found
        return get_object_or_404(queryset, code=value)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dataset = dataset_create(actor=request_actor(request), **serializer.validated_data)
        return Response(self.get_serializer(dataset).data, status=status.HTTP_201_CREATED)
