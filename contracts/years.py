"""The years a date or instant written by a person may fall in, for every form, API field and service.

Far-off years carry historic time-zone offsets PostgreSQL cannot store and overflow on the way to
UTC, and "the day after" 9999-12-31 does not exist: a value that far is a typing slip, and taking it
would make a page fail later for everyone who sees the row.
"""

from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1900, 2200
OUTSIDE_YEARS = _("Give a date between 1900 and 2200.")


def within_years(value) -> bool:
    """A date or datetime (read in its own zone) in FIRST_YEAR to LAST_YEAR; None passes."""
    return value is None or FIRST_YEAR <= value.year <= LAST_YEAR
