"""The agreement as clients see it and send it (DESIGN section 3)."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from contracts.models import Agreement, AgreementTransition
from contracts.models.agreements import AMENDABLE_TERMS
from partnerships.actors import actor_for
from partnerships.api.fields import IdOrCodeRelatedField
from partnerships.api.strict import StrictFieldsMixin
from partnerships.models import Organization, Partnership
from partnerships.selectors import partnerships_visible_to

currency_code = RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 currency code: three capital letters, e.g. CNY.")


class PartyField(IdOrCodeRelatedField):
    """A party to an agreement, by id or Unified Social Credit Code (the registry is public)."""

    def __init__(self, **kwargs):
        super().__init__(
            code_field="credit_code", label_text="organization", queryset=Organization.objects.all(), **kwargs
        )


class VisiblePartnershipField(serializers.PrimaryKeyRelatedField):
    """Only a partnership the person can see may be named; another reads as unknown."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Partnership.objects.none()
        return partnerships_visible_to(actor_for(request.user))


class AgreementSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    government = PartyField()
    partner = PartyField()
    partnership = VisiblePartnershipField(required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, default="CNY", validators=[currency_code])

    class Meta:
        model = Agreement
        fields = [
            "id",
            "reference",
            "title",
            "model",
            "partnership",
            "government",
            "partner",
            "description",
            "signed_on",
            "starts_on",
            "ends_on",
            "value",
            "currency",
            "status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]
        extra_kwargs = {"value": {"min_value": 0}}


class AgreementDraftEditSerializer(AgreementSerializer):
    """PATCH of a draft: only the terms change; the parties and reference are fixed at registration."""

    government = serializers.PrimaryKeyRelatedField(read_only=True)
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    partnership = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(AgreementSerializer.Meta):
        read_only_fields = [f for f in AgreementSerializer.Meta.fields if f not in AMENDABLE_TERMS]


class ReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the agreement changes status (kept on record).")


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = AgreementTransition
        fields = ["id", "from_status", "to_status", "actor", "at", "reason"]
