"""/api/v1/responsibilities/: who answers for which area of an agreement, over time."""

import django_filters
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.grants_common import (
    AgreementField,
    OfficersWrite,
    OrganizationField,
    by_id_or_code,
    instant_param,
    request_actor,
)
from contracts.codes import Area, Raci
from contracts.models import ResponsibilityAssignment
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grants import (
    agreement_status_at,
    responsibilities_in_force,
    responsibilities_visible_to,
    responsibility_gaps,
)
from contracts.services.responsibilities import responsibility_assign, responsibility_end
from partnerships.api.fields import InstantField, is_id


class ResponsibilitySerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateTimeField: InstantField}
    agreement = AgreementField(help_text=_("Agreement id or reference."))
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    party = OrganizationField(help_text=_("Organization id or credit code."))
    party_name = serializers.CharField(source="party.name", read_only=True)
    contact = serializers.IntegerField(
        source="contact_id", required=False, allow_null=True, help_text=_("User id of a member of the party.")
    )
    area = serializers.ChoiceField(choices=Area.choices)
    raci = serializers.ChoiceField(choices=Raci.choices)

    class Meta:
        model = ResponsibilityAssignment
        fields = [
            "id", "agreement", "agreement_reference", "area", "party", "party_name", "raci", "contact",
            "contact_name", "contact_email", "contact_phone", "valid_from", "valid_to", "end_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "end_reason", "created_at"]

    def validate(self, attrs):
        # A named contact must act for the party, so alerts reach someone who can answer for it.
        contact_id = attrs.pop("contact_id", None)
        attrs["contact"] = None
        if contact_id is not None:
            contact = get_user_model().objects.filter(pk=contact_id, memberships__organization=attrs["party"]).first()
            if contact is None:
                raise serializers.ValidationError({"contact": [_("No member of the party with id %s.") % contact_id]})
            attrs["contact"] = contact
        return attrs


class EndInput(serializers.Serializer):
    valid_to = InstantField(required=False, help_text=_("When the assignment ends; now if left out."))
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)


class ResponsibilityFilter(django_filters.FilterSet):
    agreement = django_filters.CharFilter(method="filter_agreement", help_text="Agreement id or reference.")
    party = django_filters.CharFilter(method="filter_party", help_text="Organization id or credit code.")
    area = django_filters.ChoiceFilter(choices=Area.choices)
    raci = django_filters.ChoiceFilter(choices=Raci.choices)

    class Meta:
        model = ResponsibilityAssignment
        fields = ["agreement", "area", "raci", "party"]

    def filter_agreement(self, queryset, name, value):
        return by_id_or_code(queryset, "agreement", "reference", value)

    def filter_party(self, queryset, name, value):
        return by_id_or_code(queryset, "party", "credit_code", value)


AT_PARAMETER = OpenApiParameter(
    "at", OpenApiTypes.DATETIME, description="ISO-8601 instant: only the assignments in force then."
)
GAPS_RESPONSE = inline_serializer(
    "ResponsibilityGaps",
    fields={
        "agreement": serializers.IntegerField(),
        "agreement_reference": serializers.CharField(),
        "at": serializers.DateTimeField(),
        "agreement_status": serializers.CharField(allow_null=True),
        "flagged": serializers.BooleanField(),
        "gaps": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema_view(list=extend_schema(parameters=[AT_PARAMETER]))
class ResponsibilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ResponsibilitySerializer
    permission_classes = [OfficersWrite]
    filterset_class = ResponsibilityFilter

    def get_queryset(self):
        return responsibilities_visible_to(request_actor(self.request))

    def list(self, request, *args, **kwargs):
        at = instant_param(request)
        queryset = self.filter_queryset(self.get_queryset())
        if at is not None:
            queryset = responsibilities_in_force(queryset, at)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = responsibility_assign(actor=request_actor(request), **serializer.validated_data)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInput, responses=ResponsibilitySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        data = EndInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = responsibility_end(
            actor=request_actor(request),
            assignment=assignment,
            valid_to=data.validated_data.get("valid_to") or timezone.now(),
            reason=data.validated_data["reason"],
        )
        return Response(self.get_serializer(assignment).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("agreement", str, required=True, description="Agreement id or reference."),
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="ISO-8601 instant; now if left out."),
        ],
        responses={
            200: GAPS_RESPONSE,
            404: OpenApiResponse(description="No such agreement among those this person sees."),
        },
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def gaps(self, request):
        """The areas of an active agreement with nobody accountable at that instant."""
        value = request.query_params.get("agreement", "").strip()
        if not value:
            raise serializers.ValidationError({"agreement": [_("Name the agreement, by id or reference.")]})
        at = instant_param(request) or timezone.now()
        agreement = self._visible_agreement(value)
        gaps = responsibility_gaps(agreement, at)
        labels = dict(Area.choices)
        return Response(
            {
                "agreement": agreement.pk,
                "agreement_reference": agreement.reference,
                "at": serializers.DateTimeField().to_representation(at),
                "agreement_status": agreement_status_at(agreement, at),
                "flagged": bool(gaps),
                "gaps": [{"area": area, "name": str(labels[area])} for area in gaps],
            }
        )

    def _visible_agreement(self, value):
        agreements = agreements_visible_to(request_actor(self.request))
        q = Q(reference=value)
        if is_id(value):
            q |= Q(pk=int(value))
        agreement = agreements.filter(q).first()
        if agreement is None:
            raise Http404
        return agreement
