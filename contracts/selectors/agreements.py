"""Which agreements a person may see or manage (DESIGN section 2).

Everything else a person may see hangs off these two querysets, so tenant
isolation is decided here and nowhere else.
"""

from django.db.models import Q, QuerySet

from contracts.models import Agreement
from partnerships.actors import Actor
from partnerships.codes import Role


def _jurisdiction_q(prefixes, field: str) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def agreement_visibility_q(actor: Actor, prefix: str = "") -> Q:
    """A Q over Agreement (or over a model reaching it through ``prefix``, e.g. "agreement__")."""
    if actor.is_admin:
        return Q()
    q = Q(**{f"{prefix}pk__in": []})
    officer_orgs = actor.org_ids(Role.OFFICER)
    if officer_orgs:
        q |= Q(**{f"{prefix}government_id__in": officer_orgs})
    partner_orgs = actor.org_ids(Role.PARTNER)
    if partner_orgs:
        q |= Q(**{f"{prefix}partner_id__in": partner_orgs})
    regions = actor.regions(Role.SUPERVISOR, Role.AUDITOR)
    if regions:
        q |= _jurisdiction_q(regions, f"{prefix}government__region_code")
    return q


def agreements_visible_to(actor: Actor) -> QuerySet[Agreement]:
    return Agreement.objects.filter(agreement_visibility_q(actor)).select_related("government", "partner")


def agreements_managed_by(actor: Actor) -> QuerySet[Agreement]:
    """Agreements the person may change: officers of the government party, and admins."""
    if actor.is_admin:
        return Agreement.objects.all()
    return Agreement.objects.filter(government_id__in=actor.org_ids(Role.OFFICER))


def can_manage_agreement(actor: Actor, agreement: Agreement) -> bool:
    return actor.is_admin or agreement.government_id in actor.org_ids(Role.OFFICER)


def can_declare_for(actor: Actor, agreement: Agreement) -> bool:
    return actor.is_admin or agreement.partner_id in actor.org_ids(Role.PARTNER)
