"""The audit trail in the Django admin: read-only, like everywhere else."""

from django.contrib import admin

from partnerships.models import AuditEntry, AuditHead

# Bulk deletion would log its objects with bulk_create, which sends no signal and so
# would escape the audit trail; objects are deleted one at a time instead.
admin.site.disable_action("delete_selected")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_username", "organization", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id", "object_repr", "request_id"]
    date_hierarchy = "at"


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash", "recorded_at"]
