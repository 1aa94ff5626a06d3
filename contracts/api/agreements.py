"""/api/v1/agreements/: register, read, edit drafts, and move agreements through their lifecycle."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.agreements_access import ManagesAgreement, UnderAgreementMixin
from contracts.api.agreements_serializers import (
    AgreementDraftEditSerializer,
    AgreementSerializer,
    ReasonSerializer,
    TransitionSerializer,
)
from contracts.codes import AGREEMENT_TRANSITIONS
from contracts.filters import AgreementFilter
from contracts.models import Agreement, AgreementTransition
from contracts.selectors.agreements import agreements_visible_to
from contracts.services.agreements import agreement_create, agreement_transition, agreement_update_draft
from partnerships.actors import actor_for


def _transition_action(name: str):
    """One POST action per lifecycle move (activate, suspend, ...), all alike."""
    target = AGREEMENT_TRANSITIONS[name][1]

    def transition(self, request, pk=None):
        agreement = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_transition(
            actor=actor_for(request.user), agreement=agreement, action=name, reason=body.validated_data["reason"]
        )
        return Response(AgreementSerializer(agreement, context=self.get_serializer_context()).data)

    # The router maps methods to the function's name, so it must be set before @action sees it.
    transition.__name__ = name
    transition = action(detail=True, methods=["post"], url_path=name, url_name=name)(transition)
    return extend_schema(
        request=ReasonSerializer,
        responses={200: AgreementSerializer},
        summary=f"Move the agreement to {target}",
        description="Refused with 409 when the agreement's status does not allow it; the reason is kept on record.",
    )(transition)


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AgreementSerializer
    permission_classes = [ManagesAgreement]
    filterset_class = AgreementFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Partners' systems know an agreement by its reference: /agreements/ZJ-BOT-001/ works like /agreements/12/.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return agreements_visible_to(actor_for(self.request.user))

    def get_object(self):
        key = self.kwargs["pk"]
        if not key.isdigit():
            self.lookup_field = "reference"
            self.kwargs["reference"] = key
        return super().get_object()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = agreement_create(actor=actor_for(request.user), **serializer.validated_data)
        return Response(self.get_serializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AgreementDraftEditSerializer,
        responses={200: AgreementSerializer},
        description="Edits a draft in place. An agreement in force is answered 409: record an amendment instead.",
    )
    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        serializer = AgreementDraftEditSerializer(
            agreement, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        agreement = agreement_update_draft(
            actor=actor_for(request.user), agreement=agreement, **serializer.validated_data
        )
        return Response(self.get_serializer(agreement).data)

    activate = _transition_action("activate")
    suspend = _transition_action("suspend")
    terminate = _transition_action("terminate")
    expire = _transition_action("expire")
    transfer = _transition_action("transfer")


class AgreementTransitionViewSet(UnderAgreementMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /agreements/{id}/transitions/: every status change, oldest first (who, when, from, to, why)."""

    serializer_class = TransitionSerializer

    def get_queryset(self):
        if self.is_schema_run():
            return AgreementTransition.objects.none()
        return self.get_agreement().transitions.select_related("actor").order_by("at", "id")
