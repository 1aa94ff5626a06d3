"""An ISO-8601 instant filter that PostgreSQL accepts for every instant ISO-8601 allows.

PostgreSQL refuses UTC offsets beyond +-15:59 (e.g. "...-16:31"), which a 500 would
otherwise report; the instant is compared in UTC instead.
"""

import datetime

import django_filters
from rest_framework.exceptions import ValidationError


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.timezone.utc)
            except (OverflowError, ValueError):
                raise ValidationError({self.field_name: ["This instant is out of range."]}) from None
        return super().filter(qs, value)
