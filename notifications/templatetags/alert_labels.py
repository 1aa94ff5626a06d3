"""Alert history in the reader's language."""

from django import template
from django.utils.translation import gettext_lazy as _

from contracts.codes import Area
from notifications.codes import AlertStatus

register = template.Library()

EVENT_LABELS = {
    "raised": _("Raised"),
    "silenced": _("Silenced"),
    "acknowledged": _("Acknowledged"),
    "resolved": _("Resolved"),
    "dismissed": _("Dismissed"),
    "escalated": _("Escalated"),
    "reminded": _("Reminder sent"),
}


@register.filter
def event_label(action):
    return EVENT_LABELS.get(action, action)


@register.filter
def alert_status_label(code):
    return dict(AlertStatus.choices).get(code, code)


# What an alert is about, in the reader's language. The stored ``summary`` was written
# once, in the language of the background job; these are built from the alert's fields.
SUMMARIES = {
    "dataset_not_permitted": _("Use of %(dataset)s without any grant under %(agreement)s"),
    "action_not_permitted": _("Action not granted on %(dataset)s under %(agreement)s"),
    "purpose_not_permitted": _("Purpose not granted for %(dataset)s under %(agreement)s"),
    "recipient_not_approved": _("Data of %(dataset)s passed to an unapproved recipient under %(agreement)s"),
    "outside_validity": _("Use of %(dataset)s outside the grant's validity under %(agreement)s"),
    "permission_inactive": _("Use of %(dataset)s while the grant was suspended or revoked under %(agreement)s"),
    "agreement_inactive": _("Use of %(dataset)s while %(agreement)s was not active"),
    "quota_exceeded": _("Quota exceeded for %(dataset)s under %(agreement)s"),
    "declaration_missing": _("Declaration missing for %(dataset)s under %(agreement)s"),
    "undeclared_usage": _("Observed use of %(dataset)s above what was declared under %(agreement)s"),
    "responsibility_gap": _("No accountable party for %(area)s under %(agreement)s"),
    "permission_expiring": _("Grant for %(dataset)s under %(agreement)s ends soon"),
    "agreement_expiring": _("Agreement %(agreement)s ends soon"),
}


@register.filter
def alert_summary(alert):
    text = SUMMARIES.get(alert.kind)
    if text is None or (alert.agreement_id is None and "%(agreement)s" in str(text)):
        return alert.summary
    area = alert.area or (alert.evidence or {}).get("area", "")
    return text % {
        "dataset": alert.dataset.code if alert.dataset_id else "—",
        "agreement": alert.agreement.reference if alert.agreement_id else "—",
        "area": dict(Area.choices).get(area, area),
    }
