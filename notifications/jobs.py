"""The Celery task base: a cap on how often one message may be delivered.

With acks_late and reject_on_worker_lost, a message whose task kills its worker
comes back again and again. Every delivery of a task id is counted in a TaskRun
row (committed before the work starts); past CELERY_MAX_DELIVERIES the message is
parked as a dead letter, which raises an alert for the administrators.
"""

import logging

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F

log = logging.getLogger(__name__)


class CappedTask(Task):
    def __call__(self, *args, **kwargs):
        task_id = getattr(self.request, "id", None)
        if not task_id:
            return super().__call__(*args, **kwargs)  # called as a function (shell): no message to count
        from notifications.models import TaskRun

        with transaction.atomic():
            TaskRun.objects.get_or_create(task_id=task_id, defaults={"name": self.name, "args": list(args)})
            TaskRun.objects.filter(task_id=task_id).update(deliveries=F("deliveries") + 1)
            run = TaskRun.objects.get(task_id=task_id)
        if run.status == "dead":
            return None  # already parked
        # A message seen before runs again (the work itself is idempotent): "done" may have been
        # written by a duplicate that found nothing to do while the original was still working.
        if run.status == "running" and run.deliveries > settings.CELERY_MAX_DELIVERIES:
            self._dead_letter(run)
            return None
        result = super().__call__(*args, **kwargs)
        TaskRun.objects.filter(task_id=task_id).update(status="done")
        return result

    def _dead_letter(self, run) -> None:
        from notifications.models import TaskRun
        from notifications.services.alerts import alert_raise
        from notifications.services.severity import severity_for

        log.error("task %s %s delivered %s times: parked as a dead letter", run.name, run.task_id, run.deliveries)
        with transaction.atomic():
            if not TaskRun.objects.filter(pk=run.pk).exclude(status="dead").update(status="dead"):
                return
            alert_raise(
                kind="dead_letter",
                dedup_key=f"dead_letter:{run.task_id}",
                summary=f"Background job {run.name}{tuple(run.args)!r} was given up after {run.deliveries} deliveries",
                severity=severity_for("dead_letter"),
                rule=f"A job message is delivered at most {settings.CELERY_MAX_DELIVERIES} times.",
                evidence={"task_id": run.task_id, "task": run.name, "args": run.args, "deliveries": run.deliveries},
            )
