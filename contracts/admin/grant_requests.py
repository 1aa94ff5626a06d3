# Admin for grant requests: read-only, since every decision goes through the services.
from django.contrib import admin

from contracts.models import GrantRequest, GrantRequestAttachment, GrantRequestComment


class CommentInline(admin.TabularInline):
    model = GrantRequestComment
    extra = 0
    can_delete = False
    readonly_fields = ["author", "side", "body", "created_at"]


class AttachmentInline(admin.TabularInline):
    model = GrantRequestAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["title", "file", "sha256", "size", "uploaded_by", "uploaded_at"]


@admin.register(GrantRequest)
class GrantRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "agreement", "dataset", "kind", "status", "decision", "submitted_at", "decided_at"]
    list_filter = ["status", "kind", "decision", "refusal_reason"]
    search_fields = ["agreement__reference", "dataset__code", "justification"]
    inlines = [CommentInline, AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
