"""What every contracts page needs: the actor of the chosen membership, and the
agreement looked up through the visibility selector (a foreign one is a 404)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from contracts.selectors.agreements import agreements_visible_to, can_manage_agreement
from partnerships.views.membership import page_actor


def visible_agreement(request, pk):
    return get_object_or_404(agreements_visible_to(page_actor(request)), pk=pk)


def managed_agreement(request, pk):
    """Visible and changeable by this person; visible but not theirs to change is a 403."""
    agreement = visible_agreement(request, pk)
    if not can_manage_agreement(page_actor(request), agreement):
        raise PermissionDenied
    return agreement
