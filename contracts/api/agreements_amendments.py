"""/api/v1/agreements/{id}/amendments/: every version of an agreement, and new amendments.

Version 1 is the agreement as registered; each amendment adds the next version with
its rationale, effective date, the full terms after it and what changed. Nothing
is overwritten, so old versions answer with their old terms.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from contracts.api.agreements_access import UnderAgreementMixin
from contracts.api.agreements_serializers import currency_code
from contracts.codes import AgreementModel
from contracts.models import AgreementVersion
from contracts.models.agreements import AMENDABLE_TERMS
from contracts.services.agreements import agreement_amend
from partnerships.actors import actor_for
from partnerships.api.strict import StrictFieldsMixin


class TermChangesSerializer(StrictFieldsMixin, serializers.Serializer):
    """The terms an amendment may change; any left out stay as they are."""

    title = serializers.CharField(max_length=300, required=False)
    model = serializers.ChoiceField(choices=AgreementModel.choices, required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    value = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False, validators=[currency_code])
    description = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Name at least one term to change.")
        return attrs


class AmendmentRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    rationale = serializers.CharField(max_length=5000)
    effective_on = serializers.DateField()
    changes = TermChangesSerializer()


class AmendmentSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AgreementVersion
        fields = ["number", "rationale", "effective_on", "terms", "changes", "documents", "created_by", "created_at"]


class AmendmentViewSet(UnderAgreementMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AmendmentSerializer
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.is_schema_run():
            return AgreementVersion.objects.none()
        return (
            AgreementVersion.objects.filter(agreement=self.get_agreement())
            .select_related("created_by")
            .prefetch_related("documents")
            .order_by("number")
        )

    @extend_schema(request=AmendmentRequestSerializer, responses={201: AmendmentSerializer})
    def create(self, request, agreement_id=None):
        body = AmendmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            version = agreement_amend(
                actor=actor_for(request.user),
                agreement=self.get_agreement(),
                rationale=data["rationale"],
                effective_on=data["effective_on"],
                changes=dict(data["changes"]),
            )
        except DjangoValidationError as exc:
            # A term the service refuses (reversed dates...) is reported where the client sent it.
            if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(AMENDABLE_TERMS):
                raise serializers.ValidationError({"changes": exc.message_dict}) from None
            raise
        return Response(AmendmentSerializer(version).data, status=status.HTTP_201_CREATED)
