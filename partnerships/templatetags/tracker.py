"""Small template helpers: numbers and code lists in the reader's language."""

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def num(value):
    """A number with the locale's grouping (1,234,567 / 1,234,567), or an em dash."""
    if value is None or value == "":
        return "—"
    return formats.number_format(value, force_grouping=True)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (for filters and pages)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


# The audit trail's filters (partnerships.audit.filters) by their query parameter.
AUDIT_FILTERS = {
    "object_type": _("Object type"),
    "object_id": _("Object id"),
    "action": _("Action"),
    "actor": _("Actor"),
    "organization": _("Organization id"),
    "request_id": _("Request id"),
    "since": _("Since (included)"),
    "until": _("Until (excluded)"),
}


@register.filter
def audit_filter_label(name):
    return AUDIT_FILTERS.get(name, name)
