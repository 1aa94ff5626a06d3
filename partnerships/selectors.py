"""Reads of the parties, scoped to who is asking (DESIGN section 2)."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.models import Membership, Organization, Partnership


def organizations_registry() -> QuerySet[Organization]:
    """Organizations are the public registry of parties: every signed-in person may read it."""
    return Organization.objects.all()


def users_visible_to(actor: Actor) -> QuerySet:
    """Accounts are an administrator's business only."""
    User = get_user_model()
    if not actor.is_admin:
        return User.objects.none()
    return User.objects.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organization").order_by("id"))
    )


def partnership_visibility_q(actor: Actor) -> Q:
    if actor.is_admin:
        return Q()
    q = Q(pk__in=[])
    officer_orgs = actor.org_ids(Role.OFFICER)
    if officer_orgs:
        q |= Q(government_id__in=officer_orgs)
    partner_orgs = actor.org_ids(Role.PARTNER)
    if partner_orgs:
        q |= Q(partner_id__in=partner_orgs)
    for prefix in actor.regions(Role.SUPERVISOR, Role.AUDITOR):
        q |= Q(government__region_code__startswith=prefix)
    return q


def partnerships_visible_to(actor: Actor) -> QuerySet[Partnership]:
    return Partnership.objects.filter(partnership_visibility_q(actor)).select_related("government", "partner")
