"""Channels a person adds for their alerts, and escalation policies administrators set."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.codes import LIVE_ALERT_STATUSES, ChannelKind, Severity
from notifications.models import Alert, Channel, EscalationPolicy, Notification
from notifications.services.alerts import alert_resolve_by_system
from notifications.services.deliveries import disabled_dedup_key
from notifications.transports.webhook import target_refused
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError


def _check_target(kind: str, target: str) -> None:
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": _("A channel is email or webhook.")})
    try:
        (EmailValidator() if kind == "email" else URLValidator(schemes=["http", "https"]))(target)
    except ValidationError:
        raise ValidationError(
            {"target": _("Give an e-mail address.") if kind == "email" else _("Give an http(s) URL.")}
        ) from None
    # Checked again before every send (the name may resolve elsewhere by then); this is the early answer.
    if kind == "webhook" and target_refused(target):
        raise ValidationError(
            {
                "target": _(
                    "Webhooks may only go to public addresses: "
                    "this one is in a private, loopback or otherwise reserved network."
                )
            }
        )


def _resolve_disabled_notice(*, channel: Channel, why: str) -> None:
    """Close the "channel disabled" alert still live for this channel, as the system.

    Its dedup key is the channel's, so while it stays live a later disable would only count
    a repeat on it and its owner would not be told again.
    """
    alert = Alert.objects.filter(dedup_key=disabled_dedup_key(channel.pk), status__in=LIVE_ALERT_STATUSES).first()
    if alert is not None:
        alert_resolve_by_system(alert=alert, comment=why)


@transaction.atomic
def channel_create(*, actor: Actor, kind: str, name: str, target: str, secret: str = "") -> Channel:
    if not name or not name.strip():
        raise ValidationError({"name": _("Name the channel.")})
    _check_target(kind, target)
    if kind == "webhook" and not secret:
        secret = secrets.token_hex(32)
    channel = Channel.objects.create(owner=actor.user, kind=kind, name=name.strip(), target=target, secret=secret)
    # Never the secret: only that there is one.
    audit_record(
        actor=actor,
        action="channel.create",
        obj=channel,
        after={"kind": kind, "name": channel.name, "target": target, "has_secret": bool(secret)},
    )
    return channel


@transaction.atomic
def channel_update(*, actor: Actor, channel: Channel, **changes) -> Channel:
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not (actor.is_admin or channel.owner_id == actor.user.pk):
        raise PermissionDenied(_("Only the channel's owner may change it."))
    if channel.deleted_at is not None:
        raise ConflictError(_("This channel was deleted."), code="channel_deleted")
    before = {"name": channel.name, "target": channel.target, "is_active": channel.is_active}
    secret_before = channel.secret
    for name in ("name", "target", "secret"):
        if name in changes:
            setattr(channel, name, changes[name])
    _check_target(channel.kind, channel.target)
    reenabled = changes.get("is_active") is True and not channel.is_active
    if reenabled:
        # Turning a disabled channel back on starts its failure count afresh.
        channel.is_active, channel.disabled_at, channel.disabled_reason, channel.consecutive_failures = True, None, "", 0
    elif changes.get("is_active") is False:
        channel.is_active = False
    channel.save()
    if reenabled:
        _resolve_disabled_notice(channel=channel, why=f"The channel was turned back on by {actor.user.get_username()}.")
    after = {"name": channel.name, "target": channel.target, "is_active": channel.is_active}
    changed = [name for name in after if before[name] != after[name]]
    audit_record(
        actor=actor,
        action="channel.update",
        obj=channel,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed} | ({"secret_changed": True} if channel.secret != secret_before else {}),
    )
    return channel


@transaction.atomic
def channel_delete(*, actor: Actor, channel: Channel) -> None:
    """Take a channel out of use for good, keeping it and its messages as the record of what was sent.

    The row stays (marked deleted, its secret dropped) rather than being removed: its
    notifications keep pointing at it, so none of them ever reads as an inbox message,
    and the accountability report can still say where each one went. Messages still
    waiting are ended here; one being sent right now finishes, and any retry of it is
    ended by the delivery itself, which sends nothing to a channel that is off.
    """
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not (actor.is_admin or channel.owner_id == actor.user.pk):
        raise PermissionDenied(_("Only the channel's owner may delete it."))
    if channel.deleted_at is not None:
        raise ConflictError(_("This channel was deleted."), code="channel_deleted")
    before = {"name": channel.name, "target": channel.target, "is_active": channel.is_active}
    ended = Notification.objects.filter(channel=channel, status="pending").update(
        status="failed", last_error="channel deleted", next_attempt_at=None
    )
    channel.is_active, channel.deleted_at, channel.secret = False, timezone.now(), ""
    channel.save(update_fields=["is_active", "deleted_at", "secret"])
    _resolve_disabled_notice(channel=channel, why=f"The channel was deleted by {actor.user.get_username()}.")
    audit_record(
        actor=actor, action="channel.delete", obj=channel, before=before, after={"deleted": True, "notifications_ended": ended}
    )


@transaction.atomic
def escalation_policy_create(
    *, actor: Actor, name: str, severity: str, level: int, delay_minutes: int, recipients
) -> EscalationPolicy:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators set escalation policies."))
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = _("Unknown severity.")
    if level is None or level < 1:
        errors["level"] = _("Levels start at 1.")
    if not recipients:
        errors["recipients"] = _("Name at least one person to notify.")
    if EscalationPolicy.objects.filter(severity=severity, level=level).exists():
        errors["level"] = _("This severity already has that level.")
    if errors:
        raise ValidationError(errors)
    policy = EscalationPolicy.objects.create(name=name, severity=severity, level=level, delay_minutes=delay_minutes)
    policy.recipients.set(recipients)
    audit_record(
        actor=actor,
        action="escalation_policy.create",
        obj=policy,
        after={
            "name": name,
            "severity": severity,
            "level": level,
            "delay_minutes": delay_minutes,
            "recipients": sorted(policy.recipients.values_list("pk", flat=True)),
        },
    )
    return policy
