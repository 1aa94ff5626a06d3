"""Escalation and reminders for alerts nobody has acknowledged yet.

Both claim an alert with a conditional UPDATE on the value they read (escalation
level, last notification time) before notifying, so two runners never notify twice.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Alert, AlertEvent, EscalationPolicy, Notification
from notifications.services.notify import notify
from partnerships.audit import audit_record


def _unsilenced(now) -> Q:
    return Q(silenced_by__isnull=True) | Q(silenced_by__ends_at__lte=now)


def alerts_escalate(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for policy in EscalationPolicy.objects.prefetch_related("recipients"):
        due = Alert.objects.filter(
            _unsilenced(now),
            status="open",
            severity=policy.severity,
            escalation_level=policy.level - 1,
            first_seen__lte=now - datetime.timedelta(minutes=policy.delay_minutes),
        )
        for alert in due:
            with transaction.atomic():
                claimed = Alert.objects.filter(pk=alert.pk, status="open", escalation_level=policy.level - 1).update(
                    escalation_level=policy.level, last_notified_at=now
                )
                if not claimed:
                    continue
                alert.escalation_level = policy.level
                AlertEvent.objects.create(
                    alert=alert, action="escalated", from_status="open", to_status="open",
                    comment=f"level {policy.level} ({policy.name}) after {policy.delay_minutes} min unacknowledged",
                )  # fmt: skip
                notify(alert=alert, user_ids=[u.pk for u in policy.recipients.all()], reason=f"escalation:{policy.level}")
                audit_record(
                    actor=None,
                    action="alert.escalate",
                    obj=alert,
                    before={"escalation_level": policy.level - 1},
                    after={"escalation_level": policy.level, "policy": policy.pk},
                    organization=alert.government_id,
                )
                done += 1
    return done


def alerts_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind the first recipients of alerts still open, every ALERT_REMINDER_MINUTES."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.ALERT_REMINDER_MINUTES)
    done = 0
    for alert in Alert.objects.filter(_unsilenced(now), status="open", last_notified_at__lte=cutoff):
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, status="open", last_notified_at=alert.last_notified_at).update(
                last_notified_at=now, reminders_sent=alert.reminders_sent + 1
            )
            if not claimed:
                continue
            number = alert.reminders_sent + 1
            users = list(
                Notification.objects.filter(alert=alert, reason="raised", channel__isnull=True).values_list("user_id", flat=True)
            )
            AlertEvent.objects.create(alert=alert, action="reminded", from_status="open", to_status="open", comment=f"reminder {number}")
            notify(alert=alert, user_ids=users, reason=f"reminder:{number}")
            done += 1
    return done
