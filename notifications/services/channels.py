"""Channels a person adds for their alerts, and escalation policies administrators set."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.codes import ChannelKind, Severity
from notifications.models import Channel, EscalationPolicy
from partnerships.actors import Actor
from partnerships.audit import audit_record


def _check_target(kind: str, target: str) -> None:
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": _("A channel is email or webhook.")})
    try:
        (EmailValidator() if kind == "email" else URLValidator(schemes=["http", "https"]))(target)
    except ValidationError:
        raise ValidationError(
            {"target": _("Give an e-mail address.") if kind == "email" else _("Give an http(s) URL.")}
        ) from None


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
    before = {"name": channel.name, "target": channel.target, "is_active": channel.is_active}
    secret_before = channel.secret
    for name in ("name", "target", "secret"):
        if name in changes:
            setattr(channel, name, changes[name])
    _check_target(channel.kind, channel.target)
    if changes.get("is_active") is True and not channel.is_active:
        # Turning a disabled channel back on starts its failure count afresh.
        channel.is_active, channel.disabled_at, channel.disabled_reason, channel.consecutive_failures = True, None, "", 0
    elif changes.get("is_active") is False:
        channel.is_active = False
    channel.save()
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
