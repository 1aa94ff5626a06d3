"""/api/v1/partnerships/: government-enterprise cooperations that group agreements."""

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.actors import actor_for
from partnerships.api.fields import IdOrCodeRelatedField
from partnerships.api.filters import PartnershipFilter
from partnerships.api.permissions import ReadAnyWriteRoles
from partnerships.api.strict import StrictFieldsMixin
from partnerships.codes import Role
from partnerships.models import Organization, Partnership
from partnerships.selectors import partnerships_visible_to
from partnerships.services import partnership_create


class PartnershipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    government = IdOrCodeRelatedField(
        code_field="credit_code", label_text="organization", queryset=Organization.objects.all()
    )
    partner = IdOrCodeRelatedField(
        code_field="credit_code", label_text="organization", queryset=Organization.objects.all()
    )

    class Meta:
        model = Partnership
        fields = ["id", "name", "government", "partner", "description", "created_at"]
        read_only_fields = ["created_at"]


class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PartnershipSerializer
    permission_classes = [ReadAnyWriteRoles]
    write_roles = (Role.OFFICER,)
    filterset_class = PartnershipFilter

    def get_queryset(self):
        return partnerships_visible_to(actor_for(self.request.user))

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partnership = partnership_create(actor=actor_for(request.user), **serializer.validated_data)
        return Response(self.get_serializer(partnership).data, status=status.HTTP_201_CREATED)
