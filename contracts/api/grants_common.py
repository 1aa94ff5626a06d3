"""Pieces shared by the dataset, grant and responsibility endpoints."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission

from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grants import datasets_visible_to
from partnerships.actors import Actor, actor_for
from partnerships.api.fields import IdOrCodeRelatedField, is_id
from partnerships.codes import Role
from partnerships.models import Organization


def by_id_or_code(queryset, field: str, code_field: str, value: str):
    """Filter on a related object named by id or by its unique code, as clients name them."""
    q = Q(**{f"{field}__{code_field}": value})
    if is_id(value):
        q |= Q(**{f"{field}_id": int(value)})
    return queryset.filter(q)


def request_actor(request) -> Actor:
    return actor_for(request.user)


class OfficersWrite(BasePermission):
    """Everyone signed in reads (rows are scoped by the selectors); only officers and admins write.

    Checked before the object is fetched, so a partner, supervisor or auditor gets 403
    for a write to an object they can see, and 404 still hides a foreign one from officers.
    """

    message = _("Only procurement officers and administrators may change this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return request_actor(request).has_role(Role.OFFICER)


def parse_instant(value: str, field: str = "at", *, years: tuple[int, int] | None = None) -> datetime.datetime:
    """An ISO-8601 instant from a query string; a bare date means its start, local time.

    A '+' in an unencoded query string arrives as a space ("...T10:00:00 08:00"); put it back.
    ``years``, (first, last), bounds the local year where the answer works in calendar periods.
    """
    text = (value or "").strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")
    try:
        instant = parse_datetime(text)
        if instant is None and (day := parse_date(text)) is not None:
            instant = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        instant = None
    if instant is None:
        raise serializers.ValidationError({field: [_("Give an ISO-8601 instant, e.g. 2026-05-01T09:30:00+08:00.")]})
    try:
        if timezone.is_naive(instant):
            instant = timezone.make_aware(instant)
        # Answers show the instant in local time: 9999-12-31T23:00Z is in year 10000 in Shanghai.
        local_year = timezone.localtime(instant).year
        # In UTC: PostgreSQL refuses offsets beyond +-15:59 that ISO-8601 parsers accept (+20:41).
        instant = instant.astimezone(datetime.timezone.utc)
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00:00+05:00 falls before year 1 in UTC
        local_year = None
    if years is not None and (local_year is None or not years[0] <= local_year <= years[1]):
        between = _("Give an instant between %(first)s and %(last)s.") % {"first": years[0], "last": years[1]}
        raise serializers.ValidationError({field: [between]})
    if local_year is None:
        raise serializers.ValidationError({field: [_("This instant is out of range.")]})
    return instant


def instant_param(request, field: str = "at") -> datetime.datetime | None:
    value = request.query_params.get(field)
    return None if value in (None, "") else parse_instant(value, field)


class _ScopedField(IdOrCodeRelatedField):
    """An id-or-code field whose choices are what the requesting person may see,
    so a foreign object reads as unknown (400), never as forbidden."""

    code_field = ""
    label_name = ""

    def __init__(self, **kwargs):
        super().__init__(code_field=self.code_field, label_text=self.label_name, **kwargs)

    def scoped_queryset(self, actor: Actor):
        raise NotImplementedError

    def get_queryset(self):
        return self.scoped_queryset(request_actor(self.context["request"]))


class AgreementField(_ScopedField):
    code_field, label_name = "reference", "agreement"

    def scoped_queryset(self, actor):
        return agreements_visible_to(actor)


class DatasetField(_ScopedField):
    code_field, label_name = "code", "dataset"

    def scoped_queryset(self, actor):
        return datasets_visible_to(actor)


class OrganizationField(IdOrCodeRelatedField):
    """Organizations by id or Unified Social Credit Code (credit codes are public registers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(code_field="credit_code", label_text="organization", **kwargs)

