"""HTML5 inputs the browser can help with (date pickers, numeric keypads on phones), and the years pages take."""

from django import forms
from django.core.exceptions import ValidationError

from contracts.years import OUTSIDE_YEARS, within_years


def validate_year(value) -> None:
    """A date, or a local date and time, in the years the API takes (contracts.years)."""
    if not within_years(value):
        raise ValidationError(OUTSIDE_YEARS, code="year_range")


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
