"""How grants are read and written over the API (DESIGN section 3)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partnerships.api.fields import InstantField

from contracts.api.grants_common import AgreementField, DatasetField, OrganizationField
from contracts.codes import Action, DeclarationSchedule, Purpose, QuotaInterval, QuotaUnit
from contracts.models import DataUsePermission, PermissionVersion
from contracts.models.permissions import GRANT_TERMS
from contracts.services.permissions import MAX_DELETE_WITHIN_DAYS, MAX_QUOTA


def _username(user):
    return user.get_username() if user is not None else None


class PermissionSerializer(serializers.ModelSerializer):
    """A grant as it stands now."""

    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    dataset_code = serializers.CharField(source="dataset.code", read_only=True)
    recipients = serializers.SerializerMethodField()
    status_changed_by = serializers.SerializerMethodField()

    class Meta:
        model = DataUsePermission
        fields = [
            "id", "agreement", "agreement_reference", "dataset", "dataset_code", *GRANT_TERMS, "recipients",
            "status", "status_reason", "status_changed_by", "status_changed_at", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recipients(self, obj) -> list[int]:
        return sorted(r.pk for r in obj.recipients.all())

    def get_status_changed_by(self, obj) -> str | None:
        return _username(obj.status_changed_by)


class PermissionAtSerializer(serializers.ModelSerializer):
    """A grant as it stood at an instant: the version then in force, in the shape of a grant."""

    id = serializers.IntegerField(source="permission_id", read_only=True)
    agreement = serializers.IntegerField(source="permission.agreement_id", read_only=True)
    agreement_reference = serializers.CharField(source="permission.agreement.reference", read_only=True)
    dataset = serializers.IntegerField(source="permission.dataset_id", read_only=True)
    dataset_code = serializers.CharField(source="permission.dataset.code", read_only=True)
    recipients = serializers.ListField(source="recipient_ids", child=serializers.IntegerField(), read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    # Annotated by the selector: the last status change up to this version.
    status_reason = serializers.SerializerMethodField()
    status_changed_by = serializers.CharField(source="status_changed_by_then", read_only=True, allow_null=True)
    status_changed_at = serializers.DateTimeField(source="status_changed_at_then", read_only=True, allow_null=True)

    class Meta:
        model = PermissionVersion
        fields = [
            "id", "agreement", "agreement_reference", "dataset", "dataset_code", *GRANT_TERMS, "recipients",
            "status", "status_reason", "status_changed_by", "status_changed_at", "version",
            "effective_from", "effective_to",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status_reason(self, obj) -> str:
        return obj.status_reason_then or ""


class PermissionVersionSerializer(serializers.ModelSerializer):
    """One entry of a grant's history."""

    terms = serializers.SerializerMethodField()
    changed_by = serializers.SerializerMethodField()
    grant_request = serializers.SerializerMethodField()

    class Meta:
        model = PermissionVersion
        fields = [
            "number", "change", "status", "terms", "effective_from", "effective_to", "changed_by", "reason",
            "grant_request",
        ]  # fmt: skip
        read_only_fields = fields

    def get_grant_request(self, obj) -> int | None:
        """The approved grant request this version came from, if any."""
        grant_request = getattr(obj, "grant_request", None)
        return grant_request.pk if grant_request is not None else None

    def get_terms(self, obj) -> dict:
        out = {}
        for name in GRANT_TERMS:
            value = getattr(obj, name)
            out[name] = serializers.DateTimeField().to_representation(value) if hasattr(value, "isoformat") else value
        out["recipients"] = list(obj.recipient_ids)
        return out

    def get_changed_by(self, obj) -> str | None:
        return _username(obj.changed_by)


def _codes(choices, label):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices),
        allow_empty=False,
        help_text=label,
    )


class GrantTermsInput(serializers.Serializer):
    actions = _codes(Action.choices, _("ODRL action names."))
    purposes = _codes(Purpose.choices, _("W3C DPV purpose names; a parent covers its children."))
    valid_from = InstantField()
    valid_until = InstantField(required=False, allow_null=True)
    quota_count = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_QUOTA)
    quota_interval = serializers.ChoiceField(choices=QuotaInterval.choices, required=False)
    quota_unit = serializers.ChoiceField(choices=QuotaUnit.choices, required=False)
    recipients = serializers.ListField(
        child=OrganizationField(), required=False, help_text=_("Organization ids or credit codes.")
    )
    declaration_schedule = serializers.ChoiceField(choices=DeclarationSchedule.choices, required=False)
    declaration_due_days = serializers.IntegerField(required=False, min_value=0, max_value=366)
    delete_within_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DELETE_WITHIN_DAYS
    )
    anonymize_required = serializers.BooleanField(required=False)

    def validate(self, attrs):
        # Refuse fields this request may not set, rather than silently ignoring them.
        unknown = sorted(set(self.initial_data) - set(self.fields)) if hasattr(self.initial_data, "keys") else []
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
        return attrs


class PermissionGrantInput(GrantTermsInput):
    agreement = AgreementField(help_text=_("Agreement id or reference."))
    dataset = DatasetField(help_text=_("Dataset id or code."))


class PermissionChangeInput(GrantTermsInput):
    """A change of terms: any subset of the terms, and why."""

    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "reason":
                field.required = False

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if set(attrs) == {"reason"}:
            raise serializers.ValidationError({"non_field_errors": [_("Name at least one term to change.")]})
        return attrs


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)
