"""HTML5 inputs the browser can help with (date pickers, numeric keypads on phones)."""

from django import forms


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
