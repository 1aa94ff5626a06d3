"""Silences: mute notifications for matching alerts for a while, with who and why."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grants import datasets_visible_to
from notifications.codes import ALERT_KINDS, Severity
from notifications.models import Silence
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.codes import Role
from partnerships.models import Organization

MATCHER_FIELDS = ("kind", "severity", "agreement", "dataset", "partner")
# A silence's instants lie in these years (UTC). Far ones are typing slips, and the year 1 or 9999
# overflow when converted between time zones (a 500 where the client deserves a 400).
FIRST_YEAR, LAST_YEAR = 2000, 2199
_EARLIEST = datetime.datetime(FIRST_YEAR, 1, 1, tzinfo=datetime.UTC)
_AFTER_LAST = datetime.datetime(LAST_YEAR + 1, 1, 1, tzinfo=datetime.UTC)


def _field_value(alert, name):
    return getattr(alert, f"{name}_id") if name in ("agreement", "dataset", "partner") else getattr(alert, name)


def silence_matches(silence: Silence, alert) -> bool:
    if silence.region_prefixes:
        region = alert.government.region_code if alert.government_id else ""
        if not any(region.startswith(prefix) for prefix in silence.region_prefixes):
            return False
    return all(str(_field_value(alert, k)) == str(v) for k, v in silence.matchers.items())


def active_silences(at: datetime.datetime) -> list[Silence]:
    """The silences in force at ``at``, soonest ending first."""
    return list(Silence.objects.filter(Q(starts_at__lte=at) & Q(ends_at__gt=at)).order_by("ends_at"))


def active_silence_for(alert, at: datetime.datetime, silences: list[Silence] | None = None) -> Silence | None:
    """The silence muting ``alert`` at ``at``; ``silences``: active_silences(at), read once by a job."""
    for silence in active_silences(at) if silences is None else silences:
        if silence_matches(silence, alert):
            return silence
    return None


def instant_in_range(value: datetime.datetime) -> bool:
    """Compared as instants (no conversion, which is what overflows); a naive value is read as UTC."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return _EARLIEST <= value < _AFTER_LAST


def instant_out_of_range_message() -> str:
    return _("Give a time between the years %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def _by_id_or_code(queryset, code_field: str, value: str):
    """The object named by its id or its unique code, among those the person may see; None if none."""
    if value.isascii() and value.isdigit() and len(value) < 18:  # a credit code may be 18 digits; int() refuses "²"
        found = queryset.filter(pk=int(value)).first()
        if found is not None:
            return found
    return queryset.filter(**{code_field: value}).first()


def _resolve_matchers(actor: Actor, matchers: dict) -> tuple[dict, object | None, str | None]:
    """Matchers with agreement, dataset and partner stored as ids; (matchers, agreement, error)."""
    resolved = {name: str(value) for name, value in matchers.items()}
    agreement = None
    if "agreement" in resolved:
        agreement = _by_id_or_code(agreements_visible_to(actor), "reference", resolved["agreement"])
        if agreement is None:
            return resolved, None, _("No agreement you may see has the id or reference %s.") % resolved["agreement"]
        resolved["agreement"] = str(agreement.pk)
    if "dataset" in resolved:
        dataset = _by_id_or_code(datasets_visible_to(actor), "code", resolved["dataset"])
        if dataset is None:
            return resolved, None, _("No dataset you may see has the id or code %s.") % resolved["dataset"]
        resolved["dataset"] = str(dataset.pk)
    if "partner" in resolved:
        partners = Organization.objects.filter(pk__in=agreements_visible_to(actor).values("partner_id"))
        partner = _by_id_or_code(partners, "credit_code", resolved["partner"])
        if partner is None:
            return resolved, None, _("No partner of an agreement you may see has the id or credit code %s.") % resolved["partner"]
        resolved["partner"] = str(partner.pk)
    return resolved, agreement, None


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
    agreement = None
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
        else:
            matchers, agreement, error = _resolve_matchers(actor, matchers)
            if error:
                errors["matchers"] = error
    if not reason or not str(reason).strip():
        errors["reason"] = _("A reason is required.")
    starts_at = starts_at or timezone.now()
    if not instant_in_range(starts_at):
        errors["starts_at"] = instant_out_of_range_message()
    if ends_at is None:
        errors["ends_at"] = _("A silence must end: give its expiry.")
    elif not instant_in_range(ends_at):
        errors["ends_at"] = instant_out_of_range_message()
    elif "starts_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    # A supervisor silences within the jurisdictions they supervise, all of them; an administrator everywhere.
    prefixes = [] if actor.is_admin else sorted(actor.regions(Role.SUPERVISOR))
    if agreement is not None and prefixes:
        # Only the jurisdictions the named agreement lies in: the silence is about it alone.
        prefixes = [prefix for prefix in prefixes if agreement.government.region_code.startswith(prefix)]
        if not prefixes and "matchers" not in errors:
            errors["matchers"] = _("You do not supervise the jurisdiction of agreement %s.") % agreement.reference
    if errors:
        raise ValidationError(errors)
    silence = Silence.objects.create(
        matchers=matchers,
        starts_at=starts_at,
        ends_at=ends_at,
        author=actor.user,
        reason=reason.strip(),
        region_prefixes=prefixes,
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
            "region_prefixes": silence.region_prefixes,
        },
    )
    return silence
