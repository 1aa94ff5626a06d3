"""/api/v1/users/: administrators create people and the roles they hold."""

from django.contrib.auth import get_user_model
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.actors import actor_for
from partnerships.api.fields import IdOrCodeRelatedField
from partnerships.api.permissions import IsTrackerAdmin
from partnerships.api.strict import StrictFieldsMixin
from partnerships.codes import Role
from partnerships.models import Organization
from partnerships.selectors import users_visible_to
from partnerships.services import user_create


class MembershipSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = IdOrCodeRelatedField(
        code_field="credit_code", label_text="organization", queryset=Organization.objects.all()
    )
    role = serializers.ChoiceField(choices=Role.choices)


class UserSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    memberships = MembershipSerializer(many=True, required=False)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "password", "email", "memberships"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["memberships"] = [{"organization": m.organization_id, "role": m.role} for m in instance.memberships.all()]
        return data


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsTrackerAdmin]

    def get_queryset(self):
        return users_visible_to(actor_for(self.request.user))

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = user_create(
            actor=actor_for(request.user),
            username=data["username"],
            password=data["password"],
            email=data.get("email", ""),
            memberships=[(m["organization"], m["role"]) for m in data.get("memberships", [])],
        )
        return Response(self.get_serializer(user).data, status=status.HTTP_201_CREATED)
