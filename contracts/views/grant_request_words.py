"""What a request asks beside what is granted, in words for the page."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.codes import Action, DeclarationSchedule, Purpose, QuotaInterval, QuotaUnit
from partnerships.models import Organization

FIELD_LABELS = {
    "actions": gettext_lazy("Actions"),
    "purposes": gettext_lazy("Purposes"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_until": gettext_lazy("Valid until"),
    "quota_count": gettext_lazy("Quota"),
    "quota_interval": gettext_lazy("Quota interval"),
    "quota_unit": gettext_lazy("Quota unit"),
    "recipients": gettext_lazy("Recipients"),
    "declaration_schedule": gettext_lazy("Declaration schedule"),
    "declaration_due_days": gettext_lazy("Declaration due (days after period)"),
    "delete_within_days": gettext_lazy("Delete within (days after end)"),
    "anonymize_required": gettext_lazy("Anonymization required"),
}
_CHOICES = {
    "actions": dict(Action.choices),
    "purposes": dict(Purpose.choices),
    "quota_interval": dict(QuotaInterval.choices),
    "quota_unit": dict(QuotaUnit.choices),
    "declaration_schedule": dict(DeclarationSchedule.choices),
}


def _join(items) -> str:
    return _(", ").join(str(i) for i in items)


def value_in_words(field: str, value, names: dict) -> str:
    if value is None:
        return {"valid_until": _("no end"), "quota_count": _("no limit"), "delete_within_days": _("no duty")}.get(
            field, "—"
        )
    if field == "recipients":
        return _join(names.get(pk, str(pk)) for pk in value) if value else _("nobody")
    if field in ("actions", "purposes"):
        return _join(_CHOICES[field].get(code, code) for code in value) if value else "—"
    if field in _CHOICES:
        return str(_CHOICES[field].get(value, value))
    if field in ("valid_from", "valid_until"):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def change_rows(changes: list[dict], *, new: bool) -> list[dict]:
    """``grant_request_changes`` rows with labels and values in words (a new grant has nothing granted)."""
    ids = {pk for row in changes if row["field"] == "recipients" for pk in (row["granted"] or []) + (row["asked"] or [])}
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [
        {
            "field": row["field"],
            "label": FIELD_LABELS[row["field"]],
            "granted": None if new else value_in_words(row["field"], row["granted"], names),
            "asked": value_in_words(row["field"], row["asked"], names),
        }
        for row in changes
    ]
