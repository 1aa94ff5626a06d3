from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from partnerships.models import Membership, Organization, Partnership


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "credit_code", "region_code"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "credit_code", "region_code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name", "organization__credit_code"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "government", "partner", "created_at"]
    search_fields = ["name", "government__name", "partner__name"]
    autocomplete_fields = ["government", "partner"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


User = get_user_model()
# The roles a person holds are edited on the person's page.
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]


from partnerships.audit import admin as audit_admin  # noqa: E402,F401  (the read-only audit trail)
