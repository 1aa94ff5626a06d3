"""Silences: mute notifications for matching alerts for a while, with who and why."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.codes import ALERT_KINDS, Severity
from notifications.models import Silence
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.codes import Role

MATCHER_FIELDS = ("kind", "severity", "agreement", "dataset", "partner")


def _field_value(alert, name):
    return getattr(alert, f"{name}_id") if name in ("agreement", "dataset", "partner") else getattr(alert, name)


def silence_matches(silence: Silence, alert) -> bool:
    if silence.region_prefix:
        region = alert.government.region_code if alert.government_id else ""
        if not region.startswith(silence.region_prefix):
            return False
    return all(str(_field_value(alert, k)) == str(v) for k, v in silence.matchers.items())


def active_silence_for(alert, at: datetime.datetime) -> Silence | None:
    for silence in Silence.objects.filter(Q(starts_at__lte=at) & Q(ends_at__gt=at)).order_by("ends_at"):
        if silence_matches(silence, alert):
            return silence
    return None


@transaction.atomic
def silence_create(
    *,
    actor: Actor,
    matchers: dict,
    ends_at: datetime.datetime | None,
    reason: str,
    starts_at: datetime.datetime | None = None,
) -> Silence:
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("Only supervisors and administrators may silence alerts."))
    errors = {}
    if not isinstance(matchers, dict) or not matchers:
        errors["matchers"] = _("Give at least one matcher (kind, severity, agreement, dataset or partner).")
    else:
        unknown = sorted(set(matchers) - set(MATCHER_FIELDS))
        if unknown:
            errors["matchers"] = _("Unknown matchers: %s") % ", ".join(unknown)
        elif "kind" in matchers and matchers["kind"] not in ALERT_KINDS:
            errors["matchers"] = _("Unknown alert kind.")
        elif "severity" in matchers and matchers["severity"] not in Severity.values:
            errors["matchers"] = _("Unknown severity.")
    if not reason or not str(reason).strip():
        errors["reason"] = _("A reason is required.")
    starts_at = starts_at or timezone.now()
    if ends_at is None:
        errors["ends_at"] = _("A silence must end: give its expiry.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if errors:
        raise ValidationError(errors)
    # A supervisor silences only their jurisdiction; an administrator may silence everywhere.
    regions = () if actor.is_admin else actor.regions(Role.SUPERVISOR)
    silence = Silence.objects.create(
        matchers={k: str(v) for k, v in matchers.items()},
        starts_at=starts_at,
        ends_at=ends_at,
        author=actor.user,
        reason=reason.strip(),
        region_prefix=min(regions, key=len) if regions else "",
    )
    audit_record(
        actor=actor,
        action="silence.create",
        obj=silence,
        after={
            "matchers": silence.matchers,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "reason": silence.reason,
            "region_prefix": silence.region_prefix,
        },
    )
    return silence
