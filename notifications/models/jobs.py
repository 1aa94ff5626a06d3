from django.db import models

from notifications.codes import TaskRunStatus


class TaskRun(models.Model):
    """How often the broker has handed us one task message, for the redelivery cap.

    A message that keeps killing its worker would otherwise come back forever
    (acks_late + reject_on_worker_lost). After ``CELERY_MAX_DELIVERIES`` it is
    parked here as a dead letter, and that itself raises an alert.
    """

    task_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    deliveries = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=TaskRunStatus.choices, default="running")
    error = models.TextField(blank=True)
    first_at = models.DateTimeField(auto_now_add=True)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_at"]
        indexes = [models.Index(fields=["status", "last_at"])]
