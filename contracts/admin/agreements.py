# Admin for agreements, versions, transitions, phases, milestones, documents.
#
# Agreements are registered, amended and moved through their lifecycle by the API
# (services record version 1, each amendment and each transition with who and why),
# and so are phases and milestones (each change an audit entry). The admin therefore
# shows all of them read-only: an edit here would leave no trace in the audit trail.

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from contracts.models import Agreement, AgreementTransition, AgreementVersion, Document, Milestone, Phase


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = AgreementVersion
    fields = ["number", "effective_on", "rationale", "changes", "created_by", "created_at"]
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = AgreementTransition
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["title", "document_type", "version", "size", "sha256", "uploaded_by", "uploaded_at", "download"]
    readonly_fields = fields

    @admin.display(description="file")
    def download(self, obj):
        if not obj.pk:
            return "-"
        href = reverse("agreement-document-download", kwargs={"agreement_id": obj.agreement_id, "pk": obj.pk})
        return format_html('<a href="{}">download</a>', href)


class PhaseInline(ReadOnlyInline):
    model = Phase
    fields = ["kind", "planned_start", "planned_end", "actual_start", "actual_end"]
    readonly_fields = fields


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["kind", "title", "due_on", "responsible", "status", "met_on"]
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "model", "government", "partner", "status", "version", "ends_on"]
    list_filter = ["status", "model"]
    search_fields = [
        "reference",
        "title",
        "government__name",
        "partner__name",
        "government__credit_code",
        "partner__credit_code",
    ]
    date_hierarchy = "ends_on"
    list_select_related = ["government", "partner"]
    readonly_fields = [
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
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [VersionInline, TransitionInline, PhaseInline, MilestoneInline, DocumentInline]

    def has_add_permission(self, request):
        # Registration goes through the API so version 1 is recorded with the agreement.
        return False

    def has_delete_permission(self, request, obj=None):
        # An agreement is evidence; it is terminated, never deleted.
        return False
