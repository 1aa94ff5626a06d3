"""A grant in plain words, for the people who must keep to it."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contracts.codes import Action, DeclarationSchedule, Purpose, QuotaInterval, QuotaUnit


def _join(items) -> str:
    # Translators: the separator between items of a list, e.g. "read, aggregate".
    return _(", ").join(str(i) for i in items)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def grant_in_words(grant, terms=None) -> list[str]:
    """Sentences saying what, for which purposes, until when and how much; ``terms`` may be a version."""
    t = terms or grant
    lines = [
        _("%(partner)s may use the dataset “%(dataset)s” to: %(actions)s.")
        % {
            "partner": grant.agreement.partner.name,
            "dataset": grant.dataset.name,
            "actions": _join(str(label).lower() for code, label in Action.choices if code in t.actions),
        },
        _("Only for these purposes: %(purposes)s (and the narrower purposes under them).")
        % {"purposes": _join(label for code, label in Purpose.choices if code in t.purposes)},
    ]
    if t.valid_until:
        lines.append(_("From %(start)s until %(end)s.") % {"start": _when(t.valid_from), "end": _when(t.valid_until)})
    else:
        lines.append(_("From %(start)s, with no end date.") % {"start": _when(t.valid_from)})
    if t.quota_count is None:
        lines.append(_("No quota limit."))
    else:
        lines.append(
            _("Up to %(count)s %(unit)s %(interval)s.")
            % {
                "count": formats.number_format(t.quota_count, force_grouping=True),
                "unit": dict(QuotaUnit.choices)[t.quota_unit],
                "interval": dict(QuotaInterval.choices)[t.quota_interval],
            }
        )
    recipients = list(grant.recipients.all()) if terms is None else None
    if recipients is not None:
        if recipients:
            lines.append(_("May pass the data on to: %(names)s.") % {"names": _join(r.name for r in recipients)})
        else:
            lines.append(_("May not pass the data on to anyone."))
    if t.declaration_schedule == "none":
        lines.append(_("No declaration duty."))
    else:
        lines.append(
            _("Declares its use (%(schedule)s), due %(days)s days after each period.")
            % {
                "schedule": str(dict(DeclarationSchedule.choices)[t.declaration_schedule]).lower(),
                "days": t.declaration_due_days,
            }
        )
    if t.delete_within_days is not None:
        lines.append(_("Must delete the data within %(days)s days after the grant ends.") % {"days": t.delete_within_days})
    if t.anonymize_required:
        lines.append(_("Must anonymize the data before use."))
    return lines
