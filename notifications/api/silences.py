"""/api/v1/silences/: mute notifications for matching alerts, with author, reason and expiry."""

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from notifications.models import Silence
from notifications.selectors import silences_visible_to
from notifications.services.silences import silence_create
from partnerships.actors import actor_for


class SilenceSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    matchers = serializers.DictField(child=serializers.CharField(max_length=100))
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=5000)

    class Meta:
        model = Silence
        fields = ["id", "matchers", "starts_at", "ends_at", "reason", "author", "region_prefix", "created_at"]
        read_only_fields = ["id", "author", "region_prefix", "created_at"]


class SilenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = SilenceSerializer

    def get_queryset(self):
        return silences_visible_to(actor_for(self.request.user))

    def create(self, request, *args, **kwargs):
        data = SilenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        silence = silence_create(actor=actor_for(request.user), **data.validated_data)
        return Response(SilenceSerializer(silence).data, status=status.HTTP_201_CREATED)
