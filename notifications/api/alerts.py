"""/api/v1/alerts/: read alerts in scope; acknowledge, resolve, dismiss."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications.api.alert_requests import RelatedRequestSerializer, related_requests
from notifications.codes import ALERT_KIND_CHOICES, AlertStatus, Severity
from notifications.models import Alert, AlertEvent
from notifications.selectors import alerts_visible_to
from partnerships.api.instants import UtcIsoDateTimeFilter
from notifications.services.alerts import alert_acknowledge, alert_dismiss, alert_resolve
from partnerships.actors import actor_for


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AlertEvent
        fields = ["action", "from_status", "to_status", "actor", "comment", "at"]


class AlertSerializer(serializers.ModelSerializer):
    silenced = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id", "kind", "severity", "status", "agreement", "permission", "permission_version", "dataset",
            "partner", "accountable_party", "area", "interval", "first_seen", "last_seen", "occurrences",
            "summary", "rule", "allowed", "observed", "evidence", "escalation_level", "silenced", "dedup_key",
        ]  # fmt: skip
        read_only_fields = fields

    def get_silenced(self, alert) -> bool:
        return alert.silenced_by_id is not None


class AlertDetailSerializer(AlertSerializer):
    history = AlertEventSerializer(source="events", many=True, read_only=True)
    related_requests = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = AlertSerializer.Meta.fields + ["history", "related_requests"]
        read_only_fields = fields

    @extend_schema_field(RelatedRequestSerializer(many=True))
    def get_related_requests(self, alert) -> list[dict]:
        """Pending or refused grant requests that asked for this kind of use, and any filed from this alert."""
        return related_requests(alert, self.context.get("request"))


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ResolveSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class AlertFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ALERT_KIND_CHOICES)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")
    permission = django_filters.NumberFilter(field_name="permission_id")
    dataset = django_filters.NumberFilter(field_name="dataset_id")
    partner = django_filters.NumberFilter(field_name="partner_id")
    last_seen_after = UtcIsoDateTimeFilter(field_name="last_seen", lookup_expr="gte")

    class Meta:
        model = Alert
        fields = ["kind", "severity", "status", "agreement", "permission", "dataset", "partner"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = AlertFilter

    def get_queryset(self):
        qs = alerts_visible_to(actor_for(self.request.user))
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action != "list" else AlertSerializer

    def _answer(self, request, service, serializer_class, field, target):
        alert = self.get_object()  # scoped: a foreign alert is 404
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        alert = service(actor=actor_for(request.user), alert=alert, **{target: data.validated_data[field]})
        return Response(AlertDetailSerializer(self.get_queryset().get(pk=alert.pk), context={"request": request}).data)

    @extend_schema(request=CommentSerializer, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._answer(request, alert_acknowledge, CommentSerializer, "comment", "comment")

    @extend_schema(request=ResolveSerializer, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._answer(request, alert_resolve, ResolveSerializer, "comment", "comment")

    @extend_schema(request=DismissSerializer, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._answer(request, alert_dismiss, DismissSerializer, "reason", "reason")
