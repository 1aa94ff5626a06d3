"""Admin for datasets, grants and responsibilities.

Officers (staff users with an officer membership) and admins use it. Each page
shows only what the person may see through the API, so the admin is no way
around tenant isolation. Grants and assignments are made and changed through
the services (the API and pages), which keep versions and the single
accountable party; here they are read-only, except an assignment's contact.
"""

from django.contrib import admin

from contracts.models import DataUsePermission, Dataset, PermissionVersion, ResponsibilityAssignment
from contracts.models.permissions import GRANT_TERMS
from contracts.selectors.grants import datasets_visible_to, permissions_visible_to, responsibilities_visible_to
from partnerships.actors import actor_for
from partnerships.codes import Role


class OfficerAdmin(admin.ModelAdmin):
    """Staff officers may use these pages without Django model permissions; rows are scoped."""

    def scoped_queryset(self, actor):
        raise NotImplementedError

    @staticmethod
    def _officer(request) -> bool:
        return request.user.is_active and request.user.is_staff and actor_for(request.user).has_role(Role.OFFICER)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        actor = actor_for(request.user)
        if actor.is_admin:
            return queryset
        return queryset.filter(pk__in=self.scoped_queryset(actor).values("pk"))

    def has_module_permission(self, request):
        return self._officer(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._officer(request) or super().has_view_permission(request, obj)


@admin.register(Dataset)
class DatasetAdmin(OfficerAdmin):
    list_display = ["code", "name", "name_en", "owner", "grade", "personal_info", "created_at"]
    list_filter = ["grade", "personal_info"]
    search_fields = ["code", "name", "name_en", "owner__name", "owner__credit_code"]
    list_select_related = ["owner"]

    def scoped_queryset(self, actor):
        return datasets_visible_to(actor)

    def get_readonly_fields(self, request, obj=None):
        # Grants name a dataset by code and owner; once registered, those stay.
        return ["code", "owner", "created_at"] if obj else ["created_at"]

    def has_add_permission(self, request):
        return actor_for(request.user).is_admin or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._officer(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class PermissionVersionInline(admin.TabularInline):
    model = PermissionVersion
    extra = 0
    can_delete = False
    ordering = ["number"]
    fields = ["number", "change", "status", *GRANT_TERMS, "recipient_ids", "reason", "effective_from", "effective_to", "changed_by"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return True  # shown only inside a grant page the person may already view

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataUsePermission)
class DataUsePermissionAdmin(OfficerAdmin):
    list_display = ["agreement", "dataset", "status", "version", "valid_from", "valid_until", "quota_count", "quota_interval"]
    list_filter = ["status", "quota_interval", "declaration_schedule", "anonymize_required", "dataset__grade"]
    search_fields = ["agreement__reference", "agreement__title", "dataset__code", "dataset__name"]
    list_select_related = ["agreement", "dataset"]
    inlines = [PermissionVersionInline]

    def scoped_queryset(self, actor):
        return permissions_visible_to(actor)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResponsibilityAssignment)
class ResponsibilityAssignmentAdmin(OfficerAdmin):
    list_display = ["agreement", "area", "raci", "party", "contact_name", "valid_from", "valid_to"]
    list_filter = ["area", "raci"]
    search_fields = ["agreement__reference", "party__name", "party__credit_code", "contact_name", "contact_email"]
    list_select_related = ["agreement", "party"]
    fields = [
        "agreement", "area", "party", "raci", "contact_name", "contact_email", "contact_phone",
        "valid_from", "valid_to", "end_reason", "created_by", "created_at",
    ]  # fmt: skip
    # Validity decides who was accountable when; it changes only through the service.
    readonly_fields = [
        "agreement", "area", "party", "raci", "valid_from", "valid_to", "end_reason", "created_by", "created_at",
    ]  # fmt: skip

    def scoped_queryset(self, actor):
        return responsibilities_visible_to(actor)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return self._officer(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
