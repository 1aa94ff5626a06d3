"""Codes and UTC instants on the accountability report, as people read them: labels in their
language, instants in local time."""

from django import template
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from contracts.codes import AgreementModel, AgreementStatus, Area, PermissionStatus, QuotaInterval, QuotaUnit
from notifications.codes import ALERT_KIND_CHOICES, AlertStatus, Severity

register = template.Library()

CODE_LISTS = {
    "agreement_status": dict(AgreementStatus.choices),
    "alert_kind": dict(ALERT_KIND_CHOICES),
    "alert_status": dict(AlertStatus.choices),
    "area": dict(Area.choices),
    "grant_status": dict(PermissionStatus.choices),
    "model": dict(AgreementModel.choices),
    "quota_interval": dict(QuotaInterval.choices),
    "quota_unit": dict(QuotaUnit.choices),
    "severity": dict(Severity.choices),
    # A grant version's ``change`` (contracts.services.permissions), which has no code list of its own.
    "grant_change": {
        "grant": _("First granted"),
        "change": _("Changed"),
        "suspend": PermissionStatus.SUSPENDED.label,
        "reinstate": _("Reinstated"),
        "revoke": PermissionStatus.REVOKED.label,
    },
    # Why a grant version is not in force (contracts.selectors.accountability): a status or one of these.
    "not_in_force": {
        **dict(PermissionStatus.choices),
        "not yet valid": _("Not yet valid"),
        "expired": AgreementStatus.EXPIRED.label,
    },
}

@register.filter
def code_label(code, code_list):
    """``{{ g.status|code_label:"grant_status" }}``: the label of a code; an unknown code as it is."""
    return CODE_LISTS[code_list].get(code, code)


@register.filter
def local_instant(value):
    """An ISO 8601 instant (the report's data is in UTC) in the current time zone, as 2026-06-15 12:00:00.

    Dates and anything else that is not an instant with an offset come back as they are."""
    if not isinstance(value, str):
        return value
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return value
    if parsed is None or timezone.is_naive(parsed):
        return value  # a date ("2026-06-15") parses as a naive midnight: not an instant
    return dateformat.format(timezone.localtime(parsed), "Y-m-d H:i:s")
