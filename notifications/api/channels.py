"""/api/v1/channels/: a person's e-mail and webhook channels, with a "send test" action;
/api/v1/escalation-policies/: who is told next when an alert stays unacknowledged."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications.models import Channel, DeliveryAttempt, EscalationPolicy, Notification
from notifications.selectors import channels_visible_to, escalation_policies_visible_to
from notifications.services.channels import channel_create, channel_delete, channel_update, escalation_policy_create
from notifications.services.deliveries import channel_send_test
from notifications.services.escalation import MAX_ESCALATION_DELAY_MINUTES, MAX_ESCALATION_LEVEL
from partnerships.actors import actor_for


class ChannelSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Channel
        fields = [
            "id", "kind", "name", "target", "secret", "is_active", "consecutive_failures",
            "disabled_at", "disabled_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "consecutive_failures", "disabled_at", "disabled_reason", "created_at"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "status", "response_code", "error", "duration_ms", "at"]


class DeliverySerializer(serializers.ModelSerializer):
    attempts = AttemptSerializer(source="delivery_attempts", many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "status", "reason", "delivered_at", "last_error", "attempts"]


class ChannelViewSet(viewsets.ModelViewSet):
    serializer_class = ChannelSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def get_queryset(self):
        return channels_visible_to(actor_for(self.request.user))

    def create(self, request, *args, **kwargs):
        data = ChannelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in ("kind", "name", "target", "secret")}
        channel = channel_create(actor=actor_for(request.user), **fields)
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        channel = self.get_object()
        data = ChannelSerializer(channel, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in ("name", "target", "secret", "is_active")}
        channel = channel_update(actor=actor_for(request.user), channel=channel, **changes)
        return Response(ChannelSerializer(channel).data)

    def destroy(self, request, *args, **kwargs):
        channel_delete(actor=actor_for(request.user), channel=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], url_path="send-test")
    def send_test(self, request, pk=None):
        notification = channel_send_test(actor=actor_for(request.user), channel=self.get_object())
        return Response(DeliverySerializer(notification).data)


class EscalationPolicySerializer(serializers.ModelSerializer):
    recipients = serializers.PrimaryKeyRelatedField(many=True, queryset=get_user_model().objects.filter(is_active=True))
    level = serializers.IntegerField(min_value=1, max_value=MAX_ESCALATION_LEVEL)
    delay_minutes = serializers.IntegerField(min_value=0, max_value=MAX_ESCALATION_DELAY_MINUTES)

    class Meta:
        model = EscalationPolicy
        fields = ["id", "name", "severity", "level", "delay_minutes", "recipients", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # the service reports a duplicate level as a field error


class EscalationPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = EscalationPolicySerializer

    def get_queryset(self):
        return escalation_policies_visible_to(actor_for(self.request.user))

    def create(self, request, *args, **kwargs):
        data = EscalationPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = escalation_policy_create(actor=actor_for(request.user), **data.validated_data)
        return Response(EscalationPolicySerializer(policy).data, status=status.HTTP_201_CREATED)
