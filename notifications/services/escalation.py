"""Escalation and reminders for alerts nobody has acknowledged yet.

Both claim an alert with a conditional UPDATE on the value they read (escalation
level, last notification time) before notifying, so two runners never notify twice.
Nobody is told about an alert they may not see, nor while a silence matching it is
active (including one created after the alert was raised).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import Alert, AlertEvent, EscalationPolicy, Notification
from notifications.selectors import alert_visibility_q
from notifications.services.notify import notify
from notifications.services.routing import recipients_for
from notifications.services.silences import active_silence_for, active_silences
from partnerships.actors import actor_for
from partnerships.audit import audit_record

# Realistic bounds for a policy, enforced by the API and the page form. A delay of
# billions of minutes cannot even be subtracted from a date (OverflowError).
MAX_ESCALATION_LEVEL = 10
MAX_ESCALATION_DELAY_MINUTES = 365 * 24 * 60  # one year


def _unsilenced(now) -> Q:
    # Cheap pre-filter on the silence found at raise time; silences created later are
    # matched per alert against the silences in force, read once per run.
    return Q(silenced_by__isnull=True) | Q(silenced_by__ends_at__lte=now)


def _silenced(alert: Alert, now: datetime.datetime, silences: list) -> bool:
    return active_silence_for(alert, now, silences) is not None


class _Audience:
    """Who among some people may see an alert (DESIGN section 2), for the length of one job run.

    Each person's actor is built once per run, not once per alert; then each alert costs one
    query for all of them: every person's visibility rule (selectors.alert_visibility_q)
    becomes one filtered COUNT over the alert's row, so the rule is the selector's, not a copy.
    """

    def __init__(self):
        self._actors = {}  # user id -> Actor, or None for an inactive or deleted user

    def _actors_of(self, user_ids) -> list:
        missing = set(user_ids) - set(self._actors)
        if missing:
            users = {u.pk: u for u in get_user_model().objects.filter(pk__in=missing, is_active=True)}
            self._actors.update({pk: actor_for(users[pk]) if pk in users else None for pk in missing})
        return [self._actors[pk] for pk in sorted(set(user_ids)) if self._actors[pk] is not None]

    def may_see(self, alert: Alert, user_ids) -> list[int]:
        actors = self._actors_of(user_ids)
        allowed = [actor.user.pk for actor in actors if actor.is_admin]
        others = {f"u{actor.user.pk}": actor for actor in actors if not actor.is_admin}
        if others:
            seen = Alert.objects.filter(pk=alert.pk).aggregate(
                **{name: Count("pk", filter=alert_visibility_q(actor)) for name, actor in others.items()}
            )
            allowed += [actor.user.pk for name, actor in others.items() if seen[name]]
        return sorted(allowed)


def _waited_since(now: datetime.datetime, minutes: int) -> datetime.datetime | None:
    """``now`` minus the delay, or None when that is before year 1: no alert has waited that long."""
    try:
        return now - datetime.timedelta(minutes=minutes)
    except OverflowError:
        return None


def alerts_escalate(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    audience = _Audience()
    silences = active_silences(now)
    done = 0
    for policy in EscalationPolicy.objects.prefetch_related("recipients"):
        since = _waited_since(now, policy.delay_minutes)
        if since is None:
            continue
        due = Alert.objects.filter(
            _unsilenced(now),
            status="open",
            severity=policy.severity,
            escalation_level=policy.level - 1,
            first_seen__lte=since,
            # Raised during a silence and not announced yet: the reminder job sends the first
            # notice once the silence is over, and escalation follows on its next run.
            last_notified_at__isnull=False,
        ).select_related("government")
        recipients = [user.pk for user in policy.recipients.all()]
        for alert in due:
            if _silenced(alert, now, silences):
                continue
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
                # A policy names people of every jurisdiction; only those who may see this alert are told.
                notify(alert=alert, user_ids=audience.may_see(alert, recipients), reason=f"escalation:{policy.level}")
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


def _send_deferred_notices(now: datetime.datetime) -> int:
    """Alerts raised during a silence that has since ended: send the "raised" notice they never got.

    Only a silence keeps alert_raise from notifying, so a live alert never notified is one of them
    (its silence may since have been deleted, which clears ``silenced_by``).
    """
    done = 0
    silences = active_silences(now)
    waiting = Alert.objects.filter(_unsilenced(now), status="open", last_notified_at__isnull=True).select_related(
        "government"
    )
    for alert in waiting:
        if _silenced(alert, now, silences):
            continue
        with transaction.atomic():
            if not Alert.objects.filter(pk=alert.pk, status="open", last_notified_at__isnull=True).update(
                last_notified_at=now
            ):
                continue
            notify(alert=alert, user_ids=recipients_for(alert, now), reason="raised")
            done += 1
    return done


def alerts_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind the first recipients of alerts still open, every ALERT_REMINDER_MINUTES.

    Only those who may still see the alert are reminded (people move, lose a role or
    leave). Alerts held back by a silence that has ended get their first notice here.
    Returns how many alerts were reminded or announced.
    """
    now = now or timezone.now()
    done = _send_deferred_notices(now)
    audience = _Audience()
    silences = active_silences(now)
    cutoff = now - datetime.timedelta(minutes=settings.ALERT_REMINDER_MINUTES)
    due = Alert.objects.filter(_unsilenced(now), status="open", last_notified_at__lte=cutoff).select_related(
        "government"
    )
    for alert in due:
        if _silenced(alert, now, silences):
            continue
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, status="open", last_notified_at=alert.last_notified_at).update(
                last_notified_at=now, reminders_sent=alert.reminders_sent + 1
            )
            if not claimed:
                continue
            number = alert.reminders_sent + 1
            first = Notification.objects.filter(alert=alert, reason="raised", channel__isnull=True)
            users = list(first.values_list("user_id", flat=True))
            AlertEvent.objects.create(
                alert=alert, action="reminded", from_status="open", to_status="open", comment=f"reminder {number}"
            )
            notify(alert=alert, user_ids=audience.may_see(alert, users), reason=f"reminder:{number}")
            done += 1
    return done
