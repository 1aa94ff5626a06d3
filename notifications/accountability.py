"""Accountability at T, with the alerts: a selector for a reader already allowed to see
the agreement. Contracts answers for the agreement; notifications adds what was alerted
and what people did about it (contracts may not import alerts)."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch

from contracts.models import Agreement
from contracts.selectors.accountability import accountability_at, iso
from notifications.models import Alert, AlertEvent, Notification

CLOSED = ("resolved", "dismissed")


def alerts_open_at(*, agreement: Agreement, at: datetime.datetime) -> list[dict]:
    """Alerts about the agreement that were open or acknowledged at ``at``, each with
    everything people did about it (later actions too, marked ``after_t``).

    An alert's status at T is the target of its last lifecycle event at or before T;
    resolved and dismissed are final, so an alert closed by T is left out in SQL.
    """
    closed_by_t = AlertEvent.objects.filter(alert=OuterRef("pk"), to_status__in=CLOSED, at__lte=at)
    alerts = (
        Alert.objects.filter(agreement=agreement, first_seen__lte=at)
        .exclude(Exists(closed_by_t))
        .select_related("dataset", "permission", "accountable_party")
        .prefetch_related(
            Prefetch("events", queryset=AlertEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "notifications",
                queryset=Notification.objects.select_related("user", "channel").order_by("created_at", "id"),
            ),
        )
        .order_by("first_seen", "id")
    )
    out = []
    for alert in alerts:
        events = list(alert.events.all())
        status_at = "open"
        for event in events:
            if event.at <= at and event.to_status:
                status_at = event.to_status
        out.append(
            {
                "id": alert.pk,
                "kind": alert.kind,
                "severity": alert.severity,
                "summary": alert.summary,
                "area": alert.area,
                "dataset": alert.dataset.code if alert.dataset else None,
                "permission": alert.permission_id,
                "permission_version": alert.permission_version,
                "accountable_party": {"id": alert.accountable_party.pk, "name": alert.accountable_party.name}
                if alert.accountable_party
                else None,
                "first_seen": iso(alert.first_seen),
                "last_seen": iso(alert.last_seen),
                "occurrences": alert.occurrences,
                "status_at": status_at,
                "status_now": alert.status,
                "events": [
                    {
                        "action": e.action,
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "actor": e.actor.get_username() if e.actor else None,
                        "comment": e.comment,
                        "at": iso(e.at),
                        "after_t": e.at > at,
                    }
                    for e in events
                ],
                "notified": [
                    {
                        "user": n.user.get_username(),
                        "channel": f"{n.channel.kind}:{n.channel.name}" if n.channel else "inbox",
                        "reason": n.reason,
                        "status": n.status,
                        "at": iso(n.created_at),
                        "delivered_at": iso(n.delivered_at),
                        "after_t": n.created_at > at,
                    }
                    for n in alert.notifications.all()
                ],
            }
        )
    return out


def accountability_report(*, agreement: Agreement, at: datetime.datetime) -> dict:
    report = accountability_at(agreement=agreement, at=at)
    report["alerts"] = alerts_open_at(agreement=agreement, at=at)
    return report
