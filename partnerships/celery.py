import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

app = Celery("partnerships")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only after it ran, and a worker that dies mid-task
    # gives it back: together with idempotent tasks this is "at least once, no harm twice".
    # The broker's visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS) is longer
    # than any countdown we publish; notifications.jobs.CappedTask caps redeliveries.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    timezone="UTC",
    enable_utc=True,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    # Checks users wait for go to their own queue, so a long event scan never delays them.
    task_routes={
        "notifications.check_declaration": {"queue": "checks"},
        "notifications.deliver": {"queue": "checks"},
        "notifications.scan_usage_events": {"queue": "scans"},
        "notifications.check_duties": {"queue": "scans"},
    },
    task_default_queue="celery",
    # A worker started without -Q listens to all of these; a dedicated one can take -Q checks.
    task_queues=(Queue("celery"), Queue("checks"), Queue("scans")),
    # Exactly one beat runs (a deployment rule); every task below is safe if two did.
    beat_schedule={
        "sweep-pending-declarations": {"task": "notifications.sweep_pending_declarations", "schedule": 60.0},
        "scan-usage-events": {"task": "notifications.scan_usage_events", "schedule": 60.0},
        "retry-deliveries": {"task": "notifications.retry_deliveries", "schedule": 30.0},
        "escalate-alerts": {"task": "notifications.escalate_alerts", "schedule": 60.0},
        "check-duties": {"task": "notifications.check_duties", "schedule": crontab(minute=15, hour=1)},
        "warn-expiring": {"task": "notifications.warn_expiring", "schedule": crontab(minute=30, hour=1)},
        # Anchor the audit chain daily, so a cut tail is caught (partnerships/audit/heads.py).
        "record-audit-head": {"task": "partnerships.record_audit_head", "schedule": crontab(minute=10, hour=0)},
    },
)
app.autodiscover_tasks()
