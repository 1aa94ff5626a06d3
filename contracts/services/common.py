from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from contracts.models import Agreement
from contracts.selectors.agreements import can_manage_agreement
from partnerships.actors import Actor


def require_manager(actor: Actor, agreement: Agreement) -> None:
    """Only officers of the government party (or admins) change an agreement and what hangs off it."""
    if not can_manage_agreement(actor, agreement):
        raise PermissionDenied(_("Only officers of the government party may change this agreement."))


def refuse_larger_than(uploaded, limit: int) -> None:
    """A file over ``limit`` bytes is refused beside the file field, before anything reads it."""
    if uploaded.size > limit:
        raise ValidationError({"file": _("The file is larger than %(limit)d bytes.") % {"limit": limit}})
