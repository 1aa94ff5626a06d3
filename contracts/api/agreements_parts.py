"""/api/v1/agreements/{id}/phases/ and .../milestones/: the schedule of an agreement."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from contracts.api.agreements_access import UnderAgreementMixin
from contracts.api.agreements_serializers import PartyField
from contracts.codes import MilestoneStatus, PhaseKind
from contracts.filters import MilestoneFilter
from contracts.models import Milestone, Phase
from contracts.services.agreement_parts import PHASE_DATES, milestone_add, milestone_set_status, phase_set
from partnerships.actors import actor_for
from partnerships.api.strict import StrictFieldsMixin


class PhaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PhaseKind.choices)

    class Meta:
        model = Phase
        fields = ["kind", *PHASE_DATES]
        # Uniqueness per agreement is the service's business (it updates an existing phase).
        validators = []


class PhaseDatesSerializer(PhaseSerializer):
    kind = serializers.CharField(read_only=True)


class PhaseViewSet(UnderAgreementMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Design, build, operate and transfer, each with planned and actual dates.

    POST sets a phase (creating it the first time); PATCH /phases/{kind}/ changes some of its dates.
    """

    serializer_class = PhaseSerializer
    lookup_field = "kind"
    lookup_value_regex = "[a-z]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.is_schema_run():
            return Phase.objects.none()
        return Phase.objects.filter(agreement=self.get_agreement()).order_by("planned_start", "id")

    @extend_schema(responses={201: PhaseSerializer, 200: PhaseSerializer})  # 200: the phase's dates were replaced
    def create(self, request, agreement_id=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phase, created = phase_set(
            actor=actor_for(request.user), agreement=self.get_agreement(), **serializer.validated_data
        )
        return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PhaseDatesSerializer, responses={200: PhaseSerializer})
    def partial_update(self, request, agreement_id=None, kind=None):
        phase = self.get_object()
        serializer = PhaseDatesSerializer(phase, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        dates = {name: getattr(phase, name) for name in PHASE_DATES} | serializer.validated_data
        phase, _created = phase_set(
            actor=actor_for(request.user), agreement=self.get_agreement(), kind=phase.kind, **dates
        )
        return Response(PhaseSerializer(phase).data)


class MilestoneSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    responsible = PartyField(
        help_text="The party that must meet it: id or credit code of the government or the partner."
    )

    class Meta:
        model = Milestone
        fields = ["id", "kind", "title", "description", "due_on", "responsible", "status", "met_on"]
        read_only_fields = ["status", "met_on"]


class MilestoneStatusSerializer(StrictFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=MilestoneStatus.choices)
    met_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today for met and partiallyMet."
    )


class MilestoneViewSet(UnderAgreementMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Milestones (deliveries) and obligations (duties), each owed by one party.

    PATCH /milestones/{id}/ records the outcome: status scheduled, met, notMet or partiallyMet.
    """

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.is_schema_run():
            return Milestone.objects.none()
        return Milestone.objects.filter(agreement=self.get_agreement()).order_by("due_on", "id")

    def create(self, request, agreement_id=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = milestone_add(
            actor=actor_for(request.user), agreement=self.get_agreement(), **serializer.validated_data
        )
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneStatusSerializer, responses={200: MilestoneSerializer})
    def partial_update(self, request, agreement_id=None, pk=None):
        milestone = self.get_object()
        body = MilestoneStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = milestone_set_status(actor=actor_for(request.user), milestone=milestone, **body.validated_data)
        return Response(self.get_serializer(milestone).data)
