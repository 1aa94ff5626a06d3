"""POST /api/v1/auth/token/: exchange a username and password for an API token."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.api.strict import StrictFieldsMixin
from partnerships.audit.signals import audit_login_succeeded


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        # authenticate() with the request, so Django's user_login_failed signal carries it.
        user = authenticate(request=self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with this username and password.")]}, code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenView(APIView):
    # No authentication here: a stale token or a session without CSRF must not stop a sign-in.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
        summary="Obtain an API token",
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # authenticate() without login() sends no user_logged_in, so the success is recorded here.
        audit_login_succeeded(user=user, request=request, method="token")
        return Response({"token": token.key})
