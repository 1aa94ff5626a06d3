from notifications.models.alerts import Alert, AlertEvent, EscalationPolicy, Silence
from notifications.models.channels import Channel, DeliveryAttempt, Notification
from notifications.models.jobs import TaskRun

__all__ = ["Alert", "AlertEvent", "Channel", "DeliveryAttempt", "EscalationPolicy", "Notification", "Silence", "TaskRun"]
