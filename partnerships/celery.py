import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

app = Celery("partnerships")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only after it ran, and a worker that dies mid-task
    # gives it back: together with idempotent tasks this is "at least once, no harm twice".
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    timezone="UTC",
    enable_utc=True,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
)
app.conf.beat_schedule = {
    # Anchor the audit chain daily, so a cut tail is caught (partnerships/audit/heads.py).
    "record-audit-head": {"task": "partnerships.record_audit_head", "schedule": crontab(hour=0, minute=10)},
}
app.autodiscover_tasks()
