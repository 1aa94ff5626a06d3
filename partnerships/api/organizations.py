"""/api/v1/organizations/: the public registry of parties; administrators register new ones."""

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.actors import actor_for
from partnerships.api.filters import OrganizationFilter
from partnerships.api.permissions import ReadAnyWriteAdmin
from partnerships.api.strict import StrictFieldsMixin
from partnerships.models import Organization
from partnerships.selectors import organizations_registry
from partnerships.services import organization_create
from partnerships.validators import validate_credit_code, validate_region_code


class OrganizationSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    # Explicit fields, so the validators answer field by field before the service runs.
    credit_code = serializers.CharField(max_length=18, validators=[validate_credit_code])
    region_code = serializers.CharField(max_length=6, validators=[validate_region_code])

    class Meta:
        model = Organization
        fields = ["id", "name", "name_en", "kind", "credit_code", "region_code"]


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OrganizationSerializer
    permission_classes = [ReadAnyWriteAdmin]
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return organizations_registry()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = organization_create(actor=actor_for(request.user), **serializer.validated_data)
        return Response(self.get_serializer(organization).data, status=status.HTTP_201_CREATED)
