"""An ISO-8601 instant filter that PostgreSQL accepts for every instant ISO-8601 allows.

PostgreSQL refuses UTC offsets beyond +-15:59 (e.g. "...-16:31"), which a 500 would
otherwise report; the instant is compared in UTC instead. An instant that cannot be put
in UTC at all (the first hours of the year 1, read in a zone east of it) is a field error
of the filter's form, so the API (a 400) and the pages (the error beside the filter) say so.
"""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {"out_of_range": _("This instant is out of range.")}

    def to_python(self, value):
        try:
            value = super().to_python(value)
            return None if value is None else value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
