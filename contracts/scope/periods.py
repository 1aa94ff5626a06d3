"""Quota buckets: which interval a day falls in (the same buckets the SQL scan uses).

Buckets are in local time (settings.TIME_ZONE): "per month" means the calendar
month where the data bureau is. Weeks start on Monday, as PostgreSQL's date_trunc.
"""

import datetime

TOTAL_START = datetime.date(1970, 1, 1)


def as_date(value) -> datetime.date:
    """A bucket's first day as the database returns it (a date on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def bucket_start(day: datetime.date, interval: str) -> datetime.date:
    if interval == "day":
        return day
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return TOTAL_START  # "total": one bucket for the whole life of the grant


def bucket_end(start: datetime.date, interval: str) -> datetime.date | None:
    """The first day after the bucket (None for "total")."""
    if interval == "day":
        return start + datetime.timedelta(days=1)
    if interval == "week":
        return start + datetime.timedelta(days=7)
    if interval == "month":
        return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    if interval == "year":
        return start.replace(year=start.year + 1)
    return None


def bucket_label(start: datetime.date, interval: str) -> str:
    return "total" if interval == "total" else f"{interval}:{start.isoformat()}"


def buckets_spanned(first: datetime.date, last: datetime.date, interval: str) -> int:
    """How many buckets of ``interval`` the days [first, last] touch."""
    count, start = 0, bucket_start(first, interval)
    while start <= last:
        count += 1
        nxt = bucket_end(start, interval)
        if nxt is None:
            break
        start = nxt
    return count
