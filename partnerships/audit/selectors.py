"""Who reads the audit trail: auditors, over their jurisdiction, and administrators."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.models import AuditEntry


def audit_entries_visible_to(actor: Actor) -> QuerySet[AuditEntry]:
    """Administrators read every entry; an auditor reads entries made for an organization
    in their jurisdiction. Entries with no organization (a failed login with an unknown
    name, a change by an administrator acting for no one) are for administrators."""
    entries = AuditEntry.objects.select_related("organization")
    if actor.is_admin:
        return entries
    prefixes = actor.regions(Role.AUDITOR)
    if not prefixes:
        raise PermissionDenied(_("Only auditors and administrators read the audit trail."))
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(organization__region_code__startswith=prefix)
    return entries.filter(q)
