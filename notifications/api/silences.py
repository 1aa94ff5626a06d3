"""/api/v1/silences/: mute notifications for matching alerts, with author, reason and expiry."""

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from notifications.models import Silence
from notifications.selectors import silences_visible_to
from notifications.services.silences import instant_in_range, instant_out_of_range_message, silence_create
from partnerships.actors import actor_for
from partnerships.api.fields import InstantField


class SilenceInstantField(InstantField):
    """A date-time within the years a silence may use (services.silences), else a field error."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["overflow"] = instant_out_of_range_message()

    def to_internal_value(self, value):
        instant = super().to_internal_value(value)
        if not instant_in_range(instant):
            raise serializers.ValidationError(instant_out_of_range_message())
        return instant


class SilenceSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    matchers = serializers.DictField(child=serializers.CharField(max_length=100))
    starts_at = SilenceInstantField(required=False)
    ends_at = SilenceInstantField()
    reason = serializers.CharField(max_length=5000)
    region_prefix = serializers.CharField(
        read_only=True, help_text="The region_prefixes joined with commas (kept for clients that read it)."
    )
    region_prefixes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Jurisdictions the silence covers (empty: everywhere)."
    )

    class Meta:
        model = Silence
        fields = [
            "id", "matchers", "starts_at", "ends_at", "reason", "author", "region_prefix", "region_prefixes", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "author", "created_at"]


class SilenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = SilenceSerializer

    def get_queryset(self):
        return silences_visible_to(actor_for(self.request.user))

    def create(self, request, *args, **kwargs):
        data = SilenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        silence = silence_create(actor=actor_for(request.user), **data.validated_data)
        return Response(SilenceSerializer(silence).data, status=status.HTTP_201_CREATED)
