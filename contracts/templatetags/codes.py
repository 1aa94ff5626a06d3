"""Code lists of contracts as translated labels in templates."""

from django import template
from django.utils.translation import gettext

from contracts.codes import RULE_LABELS, Action, Area, Purpose, ViolationKind
from contracts.forms.agreements import AgreementTermsForm

register = template.Library()


def _join(codes, choices) -> str:
    """Labels in the code list's order (read before aggregate), unknown codes last as they are."""
    codes = list(codes or [])
    known = [str(label) for code, label in choices if code in codes]
    unknown = [code for code in codes if code not in dict(choices)]
    # Translators: the separator between items of a list, e.g. "read, aggregate".
    return gettext(", ").join(known + unknown)


@register.filter
def action_labels(codes):
    return _join(codes, Action.choices)


@register.filter
def purpose_labels(codes):
    return _join(codes, Purpose.choices)


@register.filter
def area_label(code):
    return dict(Area.choices).get(code, code)


@register.filter
def violation_label(code):
    return dict(ViolationKind.choices).get(code, code)


_KNOWN_CODES = {**dict(Action.choices), **dict(Purpose.choices)}


@register.filter
def plain(value):
    """An evidence value for people: lists joined, ODRL actions and DPV purposes by their labels."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return gettext(", ").join(str(plain(v)) for v in value) or "—"
    if isinstance(value, dict):
        return gettext(", ").join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, str):
        return str(_KNOWN_CODES.get(value, value))
    return value


@register.filter
def term_label(name):
    """An agreement term (``ends_on``) by the label of its form field (Ends on)."""
    field = AgreementTermsForm.base_fields.get(name)
    return field.label if field is not None else name


@register.filter
def rule_label(kind, stored_rule=""):
    """The rule a finding of ``kind`` checks, in the reader's language; the rule as stored, for a kind
    without a label."""
    return RULE_LABELS.get(kind, stored_rule)
