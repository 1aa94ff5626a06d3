"""/api/v1/permissions/: data-use grants, their status changes and their history."""

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.grants_common import OfficersWrite, by_id_or_code, instant_param, request_actor
from contracts.api.grants_permissions_serializers import (
    PermissionAtSerializer,
    PermissionChangeInput,
    PermissionGrantInput,
    PermissionSerializer,
    PermissionVersionSerializer,
    ReasonInput,
)
from contracts.codes import PermissionStatus
from contracts.models import DataUsePermission
from contracts.selectors.grants import permission_version_at, permission_versions_in_force, permissions_visible_to
from contracts.services.permissions import permission_change, permission_grant, permission_set_status

AT_PARAMETER = OpenApiParameter(
    "at",
    OpenApiTypes.DATETIME,
    description="ISO-8601 instant: the grants that stood then, each with the terms and status of the version in force then.",
)


class PermissionFilter(django_filters.FilterSet):
    agreement = django_filters.CharFilter(method="filter_agreement", help_text="Agreement id or reference.")
    dataset = django_filters.CharFilter(method="filter_dataset", help_text="Dataset id or code.")
    # With ``at`` the status is the one in force then, so the view applies it to the versions.
    status = django_filters.ChoiceFilter(choices=PermissionStatus.choices, method="filter_status")

    class Meta:
        model = DataUsePermission
        fields = ["agreement", "dataset", "status"]

    def filter_agreement(self, queryset, name, value):
        return by_id_or_code(queryset, "agreement", "reference", value)

    def filter_dataset(self, queryset, name, value):
        return by_id_or_code(queryset, "dataset", "code", value)

    def filter_status(self, queryset, name, value):
        if self.data.get("at"):
            return queryset
        return queryset.filter(status=value)


def _now_or_then(many: bool = False):
    """With ?at= a grant comes as the version then in force (effective_from/to instead of created/updated)."""
    return PolymorphicProxySerializer(
        component_name="PermissionNowOrThen",
        serializers=[PermissionSerializer, PermissionAtSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema_view(
    list=extend_schema(parameters=[AT_PARAMETER], responses=_now_or_then(many=True)),
    retrieve=extend_schema(parameters=[AT_PARAMETER], responses=_now_or_then()),
    create=extend_schema(request=PermissionGrantInput, responses={201: PermissionSerializer}),
    partial_update=extend_schema(request=PermissionChangeInput, responses=PermissionSerializer),
)
class PermissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = PermissionSerializer
    permission_classes = [OfficersWrite]
    filterset_class = PermissionFilter
    # A change of terms is a PATCH naming the terms and a reason; PUT would imply replacing the grant.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return permissions_visible_to(request_actor(self.request)).prefetch_related("recipients")

    def list(self, request, *args, **kwargs):
        at = instant_param(request)
        if at is None:
            return super().list(request, *args, **kwargs)
        permissions = self.filter_queryset(self.get_queryset())
        versions = permission_versions_in_force(permissions, at)
        if wanted := request.query_params.get("status"):
            versions = versions.filter(status=wanted)
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(PermissionAtSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        at = instant_param(request)
        if at is None:
            return super().retrieve(request, *args, **kwargs)
        version = permission_version_at(self.get_object(), at)
        if version is None:  # not yet granted then
            raise Http404
        return Response(PermissionAtSerializer(version).data)

    def create(self, request, *args, **kwargs):
        data = PermissionGrantInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        permission = permission_grant(actor=request_actor(request), **data.validated_data)
        return Response(self.get_serializer(permission).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        permission = self.get_object()
        data = PermissionChangeInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        permission = permission_change(actor=request_actor(request), permission=permission, **changes)
        return Response(self.get_serializer(self.get_queryset().get(pk=permission.pk)).data)

    def _set_status(self, request, transition):
        permission = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        permission = permission_set_status(
            actor=request_actor(request), permission=permission, action=transition, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=permission.pk)).data)

    @extend_schema(request=ReasonInput, responses=PermissionSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._set_status(request, "suspend")

    @extend_schema(request=ReasonInput, responses=PermissionSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._set_status(request, "reinstate")

    @extend_schema(request=ReasonInput, responses=PermissionSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._set_status(request, "revoke")

    @extend_schema(request=None, responses=PermissionVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        permission = self.get_object()
        history = permission.versions.select_related("changed_by", "grant_request").order_by("number")
        page = self.paginate_queryset(history)
        return self.get_paginated_response(PermissionVersionSerializer(page, many=True).data)
