"""Who is told about an alert (DESIGN section 5).

Supervisors whose jurisdiction covers the government party, plus the contacts of
the accountable party named on the alert (the assignment's contact person, or the
party's members when the assignment names none). Alerts about the tracker itself go
to administrators; a channel's trouble goes to its owner.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from contracts.selectors.grants import responsibilities_at
from partnerships.codes import Role
from partnerships.models import Membership
from partnerships.validators import jurisdiction_prefix

User = get_user_model()


def supervisors_covering(region_code: str) -> set[int]:
    rows = Membership.objects.filter(role=Role.SUPERVISOR, user__is_active=True).values_list(
        "user_id", "organization__region_code"
    )
    return {uid for uid, region in rows if region_code.startswith(jurisdiction_prefix(region))}


def members_of(org_id: int, *roles: str) -> set[int]:
    return set(
        Membership.objects.filter(organization_id=org_id, role__in=roles, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def administrators() -> set[int]:
    return set(
        User.objects.filter(Q(is_superuser=True) | Q(memberships__role=Role.ADMIN), is_active=True).values_list(
            "pk", flat=True
        )
    )


def accountable_contacts(alert, at) -> set[int]:
    party_id = alert.accountable_party_id or alert.partner_id
    if party_id is None:
        return set()
    contacts = set()
    if alert.agreement_id and alert.area:
        rows = responsibilities_at(alert.agreement_id, at).filter(area=alert.area, party_id=party_id, raci="A")
        contacts = {r.contact_id for r in rows if r.contact_id and r.contact.is_active}
    return contacts or members_of(party_id, Role.PARTNER, Role.OFFICER)


def recipients_for(alert, at) -> list[int]:
    if alert.owner_id is not None:
        return [alert.owner_id]
    if alert.government_id is None:
        return sorted(administrators())
    users = supervisors_covering(alert.government.region_code)
    if alert.kind in ("permission_expiring", "agreement_expiring"):
        users |= members_of(alert.government_id, Role.OFFICER)
        if alert.partner_id:
            users |= members_of(alert.partner_id, Role.PARTNER)
    else:
        users |= accountable_contacts(alert, at)
    return sorted(users)
