"""Administrators see alerts and deliveries (read-only: changes go through the API and its services)
and manage channels and escalation policies."""

from django.contrib import admin

from notifications.models import Alert, AlertEvent, Channel, DeliveryAttempt, EscalationPolicy, Notification, Silence, TaskRun


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "comment", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ["id", "kind", "severity", "status", "agreement", "occurrences", "last_seen"]
    list_filter = ["kind", "severity", "status"]
    search_fields = ["dedup_key", "summary"]
    inlines = [AlertEventInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["id", "alert", "user", "channel", "reason", "status", "attempts", "delivered_at"]
    list_filter = ["status", "reason"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly):
    list_display = ["notification", "number", "status", "response_code", "duration_ms", "at"]


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnly):
    list_display = ["task_id", "name", "deliveries", "status", "last_at"]
    list_filter = ["status"]


@admin.register(Silence)
class SilenceAdmin(ReadOnly):
    list_display = ["id", "matchers", "starts_at", "ends_at", "author", "reason"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "owner", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["kind", "is_active"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "severity", "level", "delay_minutes"]
    filter_horizontal = ["recipients"]
