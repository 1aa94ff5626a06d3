"""Create notifications for a set of people: one in each inbox, one per active channel.

Rows are keyed (alert, person, channel, reason) and inserted with ON CONFLICT DO
NOTHING, so a job that runs twice creates nothing twice. Channel notifications are
handed to the deliver task after commit; the retry sweeper finds any left behind.
"""

import json

from django.utils import timezone, translation

from notifications.codes import alert_subject
from notifications.models import Channel, Notification
from partnerships.publish import publish_on_commit

DELIVER_TASK = "notifications.deliver"


def _subject(alert, reason: str) -> str:
    # Stored once for the inbox, in the codes' own words; e-mails say it in each language.
    with translation.override(None):
        return alert_subject(reason, severity=alert.severity, summary=alert.summary)[:300]


def alert_payload(alert) -> dict:
    """The alert as receivers see it (webhook body, e-mail text)."""
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "summary": alert.summary,
        "agreement": alert.agreement_id,
        "permission": alert.permission_id,
        "permission_version": alert.permission_version,
        "dataset": alert.dataset_id,
        "partner": alert.partner_id,
        "accountable_party": alert.accountable_party_id,
        "interval": alert.interval,
        "rule": alert.rule,
        "allowed": alert.allowed,
        "observed": alert.observed,
        "evidence": alert.evidence,
        "occurrences": alert.occurrences,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
    }


def notify(*, alert, user_ids, reason: str, subject: str | None = None, body: dict | None = None) -> int:
    """Returns how many notifications were created (0 when they already existed)."""
    now = timezone.now()
    subject = subject or _subject(alert, reason)
    text = json.dumps(body if body is not None else alert_payload(alert), ensure_ascii=False, default=str)
    alert_part = alert.pk if alert is not None else "-"
    rows = []
    channels = {}
    for channel in Channel.objects.filter(owner_id__in=user_ids, is_active=True):
        channels.setdefault(channel.owner_id, []).append(channel)
    for uid in user_ids:
        rows.append(
            Notification(
                key=f"{alert_part}:{uid}:inbox:{reason}",
                alert=alert,
                user_id=uid,
                reason=reason,
                subject=subject,
                body=text,
                status="delivered",
                delivered_at=now,
            )
        )
        for channel in channels.get(uid, ()):
            rows.append(
                Notification(
                    key=f"{alert_part}:{uid}:c{channel.pk}:{reason}",
                    alert=alert,
                    user_id=uid,
                    channel=channel,
                    reason=reason,
                    subject=subject,
                    body=text,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return 0
    keys = [row.key for row in rows]
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    Notification.objects.bulk_create([r for r in rows if r.key not in existing], ignore_conflicts=True)
    created = Notification.objects.filter(key__in=set(keys) - existing)
    for pk in created.filter(channel__isnull=False, status="pending").values_list("pk", flat=True):
        publish_on_commit(DELIVER_TASK, pk)
    return len(set(keys) - existing)
