"""Alerts and grant requests: the requests an alert shows, and ``POST /api/v1/alerts/{id}/request/``."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.grant_request_serializers import GrantRequestDetailOutput, ScopeInput
from contracts.selectors.grant_requests import grant_requests_covering
from notifications.selectors import alerts_visible_to
from notifications.services.grant_requests import alert_request_file
from partnerships.actors import actor_for


class RelatedRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    decision = serializers.CharField()
    refusal_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.ListField(child=serializers.CharField())
    purposes = serializers.ListField(child=serializers.CharField())
    quota_count = serializers.IntegerField(allow_null=True)
    from_alert = serializers.SerializerMethodField()

    def get_from_alert(self, obj) -> bool:
        return obj.from_alert_id == self.context.get("alert_id")


def related_requests(alert, request) -> list[dict]:
    """The requests an alert shows, as the person reading the alert may see them."""
    if request is None:
        return []
    found = grant_requests_covering(
        actor_for(request.user),
        agreement_id=alert.agreement_id,
        dataset_id=alert.dataset_id,
        kind=alert.kind,
        allowed=alert.allowed,
        observed=alert.observed,
        alert_id=alert.pk,
    )
    return RelatedRequestSerializer(found, many=True, context={"alert_id": alert.pk}).data


class AlertRequestInput(ScopeInput):
    justification = serializers.CharField()


class AlertRequestView(APIView):
    """A partner answers an alert by asking for a grant (or a change) that would allow that use."""

    @extend_schema(request=AlertRequestInput, responses={201: GrantRequestDetailOutput})
    def post(self, request, pk):
        actor = actor_for(request.user)
        alert = get_object_or_404(alerts_visible_to(actor), pk=pk)
        data = AlertRequestInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        grant_request = alert_request_file(actor=actor, alert=alert, **data.validated_data)
        return Response(
            GrantRequestDetailOutput(grant_request, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
