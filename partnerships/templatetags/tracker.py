"""Small template helpers: numbers and code lists in the reader's language."""

from django import template
from django.utils import formats

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
