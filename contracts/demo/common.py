"""Helpers shared by the demo steps."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnerships.actors import Actor, actor_for

PASSWORD = "demo-pass-2026"


def instant(text: str) -> datetime.datetime:
    """'2025-03-01 09:30' in the project's time zone (Asia/Shanghai by default)."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def user(username: str):
    return get_user_model().objects.get(username=username)


def as_user(username: str) -> Actor:
    return actor_for(user(username))
