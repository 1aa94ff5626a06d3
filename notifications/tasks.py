"""Celery tasks: thin, by id, idempotent; the services claim the work."""

import logging

from celery import shared_task

from notifications.jobs import CappedTask
from notifications.services import checks, deliveries, escalation, expiry, grant_requests

log = logging.getLogger(__name__)


@shared_task(name="notifications.check_declaration", base=CappedTask)
def check_declaration(declaration_id: int) -> bool:
    return checks.declaration_check(declaration_id=declaration_id)


@shared_task(name="notifications.sweep_pending_declarations", base=CappedTask)
def sweep_pending_declarations() -> int:
    return len(checks.declarations_sweep())


@shared_task(name="notifications.scan_usage_events", base=CappedTask)
def scan_usage_events() -> int:
    return checks.usage_scan()


@shared_task(name="notifications.check_duties", base=CappedTask)
def check_duties() -> int:
    return checks.duties_check()


@shared_task(name="notifications.escalate_alerts", base=CappedTask)
def escalate_alerts() -> int:
    """Escalation, then reminders. Each commits per alert, so neither stops the other: a failure in
    escalation is logged, reminders still go out, and the failure is raised afterwards to be seen."""
    done = 0
    failure = None
    try:
        done += escalation.alerts_escalate()
    except Exception as exc:
        log.exception("escalation failed; sending reminders anyway")
        failure = exc
    done += escalation.alerts_remind()
    if failure is not None:
        raise failure
    return done


@shared_task(name="notifications.warn_expiring", base=CappedTask)
def warn_expiring() -> int:
    return expiry.expiry_warnings()


@shared_task(name="notifications.alert_overdue_grant_requests", base=CappedTask)
def alert_overdue_grant_requests() -> int:
    return grant_requests.grant_requests_overdue_alert()


@shared_task(name="notifications.deliver", base=CappedTask)
def deliver(notification_id: int) -> str | None:
    attempt = deliveries.delivery_attempt(notification_id=notification_id)
    return attempt.status if attempt else None


@shared_task(name="notifications.retry_deliveries", base=CappedTask)
def retry_deliveries() -> int:
    """Sends what is due: retries whose backoff has passed, and sends a dead worker left half done."""
    due = deliveries.deliveries_due()
    for pk in due:
        deliveries.delivery_attempt(notification_id=pk)
    return len(due)
