"""HTML5 inputs the browser can help with (date pickers, numeric keypads on phones), and the years pages take."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The years the API takes for dates and instants (check_grant_terms, the stats filters): far-off
# years carry historic time-zone offsets PostgreSQL cannot store, and "the day after" 9999-12-31
# does not exist, so a page that took them would fail later, for everyone who sees the row.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def validate_year(value) -> None:
    """A date, or a local date and time, in the years 1900 to 2200."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("Give a date between 1900 and 2200."), code="year_range")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def date_field(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)


def datetime_field(label, required=True, **kwargs):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(), **kwargs)


def bounded_date_field(label, required=True, **kwargs):
    """A date in the years the API takes; an error beside the field otherwise."""
    return date_field(label, required=required, validators=[validate_year], **kwargs)
