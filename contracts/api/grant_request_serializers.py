"""Parsing and rendering grant requests. Input serializers only parse; the services decide."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.codes import (
    Action,
    DeclarationSchedule,
    GrantRequestKind,
    Purpose,
    QuotaInterval,
    QuotaUnit,
    RefusalReason,
)
from contracts.models import GrantRequest, GrantRequestAttachment, GrantRequestComment
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grant_requests import (
    datasets_requestable_by,
    grant_request_approved_terms,
    grant_request_changes,
)
from contracts.selectors.grants import permissions_visible_to
from contracts.services.permissions import MAX_DELETE_WITHIN_DAYS, MAX_QUOTA
from partnerships.actors import actor_for
from partnerships.api.fields import IdOrCodeRelatedField, InstantField
from partnerships.models import Organization


def _actor(field):
    return actor_for(field.context["request"].user)


class VisibleAgreementField(IdOrCodeRelatedField):
    def __init__(self, **kwargs):
        super().__init__(code_field="reference", label_text="agreement", **kwargs)

    def get_queryset(self):
        return agreements_visible_to(_actor(self))


class DatasetField(IdOrCodeRelatedField):
    """A dataset of a province the partner works with: it asks for data it has not been
    granted yet, but another province's catalogue reads as unknown."""

    def __init__(self, **kwargs):
        super().__init__(code_field="code", label_text="dataset", **kwargs)

    def get_queryset(self):
        return datasets_requestable_by(_actor(self))


class OrganizationField(IdOrCodeRelatedField):
    def __init__(self, **kwargs):
        super().__init__(code_field="credit_code", label_text="organization", **kwargs)

    def get_queryset(self):
        return Organization.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class VisiblePermissionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return permissions_visible_to(_actor(self))


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt field is a 400, not silently ignored."""

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs


class ScopeInput(StrictSerializer):
    """The scope fields of a grant, all optional: a change request or a narrowing names only what differs."""

    actions = serializers.ListField(child=serializers.ChoiceField(choices=Action.choices), required=False)
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=Purpose.choices), required=False)
    valid_from = InstantField(required=False)
    valid_until = InstantField(required=False, allow_null=True)
    quota_count = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_QUOTA)
    quota_interval = serializers.ChoiceField(choices=QuotaInterval.choices, required=False)
    quota_unit = serializers.ChoiceField(choices=QuotaUnit.choices, required=False)
    recipients = serializers.ListField(child=OrganizationField(), required=False)
    declaration_schedule = serializers.ChoiceField(choices=DeclarationSchedule.choices, required=False)
    declaration_due_days = serializers.IntegerField(required=False, min_value=0, max_value=366)
    delete_within_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DELETE_WITHIN_DAYS
    )
    anonymize_required = serializers.BooleanField(required=False)


class GrantRequestInput(ScopeInput):
    agreement = VisibleAgreementField()
    kind = serializers.ChoiceField(choices=GrantRequestKind.choices)
    dataset = DatasetField(required=False, allow_null=True)
    permission = VisiblePermissionField(required=False, allow_null=True)
    justification = serializers.CharField()


class ApproveInput(ScopeInput):
    note = serializers.CharField(required=False, allow_blank=True)


class RefuseInput(StrictSerializer):
    reason = serializers.ChoiceField(choices=RefusalReason.choices)
    explanation = serializers.CharField(required=False, allow_blank=True)


class CommentInput(StrictSerializer):
    body = serializers.CharField()


class AttachmentInput(StrictSerializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CommentOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = GrantRequestComment
        fields = ["id", "author", "side", "body", "created_at"]


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = GrantRequestAttachment
        fields = ["id", "title", "sha256", "size", "content_type", "uploaded_at"]


class GrantRequestOutput(serializers.ModelSerializer):
    recipients = serializers.SerializerMethodField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)  # none until decided
    partner = serializers.IntegerField(source="agreement.partner_id")
    agency = serializers.IntegerField(source="agreement.government_id")
    resulting_version = serializers.SerializerMethodField()

    class Meta:
        model = GrantRequest
        fields = [
            "id",
            "agreement",
            "agency",
            "partner",
            "dataset",
            "kind",
            "permission",
            "base_version",
            "status",
            "justification",
            "actions",
            "purposes",
            "valid_from",
            "valid_until",
            "quota_count",
            "quota_interval",
            "quota_unit",
            "recipients",
            "declaration_schedule",
            "declaration_due_days",
            "delete_within_days",
            "anonymize_required",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision",
            "narrowed_fields",
            "decision_note",
            "refusal_reason",
            "refusal_text",
            "resulting_version",
            "from_alert_id",
        ]

    def get_recipients(self, obj) -> list[int]:
        return sorted(o.pk for o in obj.recipients.all())

    def get_resulting_version(self, obj) -> dict | None:
        version = obj.resulting_version
        if version is None:
            return None
        return {"permission": version.permission_id, "number": version.number, "id": version.pk}


class GrantRequestDetailOutput(GrantRequestOutput):
    """Adds what a reviewer needs: the difference from the grant, the thread, the files, what was granted."""

    changes = serializers.SerializerMethodField()
    approved_terms = serializers.SerializerMethodField()
    comments = CommentOutput(many=True, read_only=True)
    attachments = AttachmentOutput(many=True, read_only=True)

    class Meta(GrantRequestOutput.Meta):
        fields = GrantRequestOutput.Meta.fields + ["changes", "approved_terms", "comments", "attachments"]

    def get_changes(self, obj) -> list[dict]:
        return _jsonable(grant_request_changes(obj))

    def get_approved_terms(self, obj) -> dict | None:
        return _jsonable(grant_request_approved_terms(obj))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return serializers.DateTimeField().to_representation(value)
    return value
