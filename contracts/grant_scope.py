"""Comparing two sets of grant terms: what was asked, what is granted, what is approved.

Terms are plain dicts of ``GRANT_TERMS`` plus ``recipients`` (a sorted list of
organization ids), so a grant, a grant version and a request compare alike.
"Wider" is always from the partner's side: more actions, purposes, recipients,
time or records, or lighter duties.
"""

from django.utils.translation import gettext as _

from contracts.codes import purpose_covered
from contracts.models.permissions import GRANT_TERMS

SCOPE_FIELDS = GRANT_TERMS + ("recipients",)

# More frequent declarations are the heavier duty.
_SCHEDULE_RANK = {"none": 0, "yearly": 1, "quarterly": 2, "monthly": 3}


def terms_of(obj, recipient_ids=None) -> dict:
    """The scope of a grant, grant version or request as a comparable dict."""
    terms = {name: getattr(obj, name) for name in GRANT_TERMS}
    terms["actions"] = sorted(set(terms["actions"]))
    terms["purposes"] = sorted(set(terms["purposes"]))
    if recipient_ids is None:
        recipient_ids = getattr(obj, "recipient_ids", None)
    if recipient_ids is None:
        recipient_ids = [o.pk for o in obj.recipients.all()]  # uses a prefetch when there is one
    terms["recipients"] = sorted(set(recipient_ids))
    return terms


def normalize(terms: dict) -> dict:
    out = dict(terms)
    for name in ("actions", "purposes", "recipients"):
        if name in out and out[name] is not None:
            out[name] = sorted(set(out[name]))
    return out


def changed_fields(before: dict, after: dict) -> list[str]:
    before, after = normalize(before), normalize(after)
    return [name for name in SCOPE_FIELDS if before.get(name) != after.get(name)]


def _later(a, b) -> bool:
    """Is end ``a`` later than end ``b``, where None means open-ended?"""
    if b is None:
        return False
    return a is None or a > b


def widened_fields(asked: dict, approved: dict) -> dict[str, str]:
    """Each field where ``approved`` gives more than ``asked``, with a message naming what."""
    asked, approved = normalize(asked), normalize(approved)
    errors = {}
    if extra := sorted(set(approved["actions"]) - set(asked["actions"])):
        errors["actions"] = _("Not asked for, so it cannot be approved: %s") % ", ".join(extra)
    if extra := sorted(p for p in approved["purposes"] if not purpose_covered(p, asked["purposes"])):
        errors["purposes"] = _("Not asked for, so it cannot be approved: %s") % ", ".join(extra)
    if extra := sorted(set(approved["recipients"]) - set(asked["recipients"])):
        errors["recipients"] = _("Recipients not asked for cannot be approved: %s") % ", ".join(map(str, extra))
    if approved["valid_from"] < asked["valid_from"]:
        errors["valid_from"] = _("The approved validity cannot start before the asked start.")
    if _later(approved["valid_until"], asked["valid_until"]):
        errors["valid_until"] = _("The approved validity cannot end after the asked end.")
    if asked["quota_count"] is not None:
        if _later(approved["quota_count"], asked["quota_count"]):
            errors["quota_count"] = _("The approved quota cannot exceed the asked quota.")
        for name in ("quota_interval", "quota_unit"):
            if approved[name] != asked[name]:
                errors[name] = _("Keep the asked quota interval and unit; lower the count to narrow the quota.")
    if _SCHEDULE_RANK.get(approved["declaration_schedule"], 0) < _SCHEDULE_RANK.get(asked["declaration_schedule"], 0):
        errors["declaration_schedule"] = _("Declarations cannot be less frequent than asked.")
    if approved["declaration_due_days"] > asked["declaration_due_days"]:
        errors["declaration_due_days"] = _("Declarations cannot be due later than asked.")
    if _later(approved["delete_within_days"], asked["delete_within_days"]):
        errors["delete_within_days"] = _("Deletion cannot be due later than asked.")
    if asked["anonymize_required"] and not approved["anonymize_required"]:
        errors["anonymize_required"] = _("The asked anonymization duty cannot be dropped.")
    return errors
