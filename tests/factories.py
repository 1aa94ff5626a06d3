"""Plain builders for test data. They go through the services where a service exists,
so tests see the same rows (versions, transitions) that users would."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from contracts.models import Dataset
from contracts.services.agreements import agreement_create, agreement_transition
from contracts.services.permissions import permission_grant
from contracts.services.responsibilities import responsibility_assign
from partnerships.actors import actor_for
from partnerships.models import Membership, Organization
from partnerships.validators import make_credit_code

_seq = itertools.count(1)


def organization(name, kind, region_code="330000", **extra) -> Organization:
    n = next(_seq)
    prefix = {"government": "11", "regulator": "11", "enterprise": "91", "spv": "91"}[kind]
    return Organization.objects.create(
        name=name,
        kind=kind,
        region_code=region_code,
        credit_code=make_credit_code(prefix, region_code, f"{n:08d}"),
        **extra,
    )


def user(username, *memberships, password="correct-horse-battery", **extra):
    """memberships: (organization, role) pairs."""
    u = get_user_model().objects.create_user(
        username=username, password=password, email=f"{username}@example.test", **extra
    )
    for org, role in memberships:
        Membership.objects.create(user=u, organization=org, role=role)
    return u


def dataset(code, owner, grade="general", personal_info="none", name=None) -> Dataset:
    return Dataset.objects.create(code=code, name=name or code, owner=owner, grade=grade, personal_info=personal_info)


def agreement(officer, government, partner, reference=None, active=True, model="BOT", **extra):
    today = timezone.localdate()
    fields = dict(
        reference=reference or f"AGR-{next(_seq):04d}",
        title=extra.pop("title", "Provincial e-government cloud"),
        model=model,
        government=government,
        partner=partner,
        starts_on=today - datetime.timedelta(days=365),
        ends_on=today + datetime.timedelta(days=365 * 5),
        signed_on=today - datetime.timedelta(days=400),
        value=extra.pop("value", 1_000_000),
    )
    fields.update(extra)
    a = agreement_create(actor=actor_for(officer), **fields)
    if active:
        a = agreement_transition(actor=actor_for(officer), agreement=a, action="activate", reason="Signed and approved")
    return a


def grant(officer, agreement, dataset, **terms):
    defaults = dict(
        actions=["read", "aggregate"],
        purposes=["PublicBenefit"],
        valid_from=timezone.now() - datetime.timedelta(days=365),
        valid_until=timezone.now() + datetime.timedelta(days=365),
        quota_count=10_000,
        quota_interval="month",
    )
    defaults.update(terms)
    return permission_grant(actor=actor_for(officer), agreement=agreement, dataset=dataset, **defaults)


def assign(officer, agreement, area, party, raci="A", contact=None, **extra):
    extra.setdefault("valid_from", timezone.now() - datetime.timedelta(days=365))
    return responsibility_assign(
        actor=actor_for(officer), agreement=agreement, area=area, party=party, raci=raci, contact=contact, **extra
    )
