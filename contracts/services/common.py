from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from contracts.models import Agreement
from contracts.selectors.agreements import can_manage_agreement
from partnerships.actors import Actor


def require_manager(actor: Actor, agreement: Agreement) -> None:
    """Only officers of the government party (or admins) change an agreement and what hangs off it."""
    if not can_manage_agreement(actor, agreement):
        raise PermissionDenied(_("Only officers of the government party may change this agreement."))
