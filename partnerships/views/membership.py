"""The membership a person is acting in on the pages.

A person may hold several memberships (an officer of one agency and an
auditor of another). The pages act for one at a time, chosen from the header
and kept in the session, so a list never mixes what two roles may see.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from partnerships.actors import Actor, actor_for
from partnerships.models import Membership
from partnerships.validators import jurisdiction_prefix

SESSION_KEY = "tracker_membership_id"

# When nothing was chosen yet, act in the role whose work is most pressing.
ROLE_ORDER = {"supervisor": 0, "officer": 1, "partner": 2, "auditor": 3, "admin": 4}


def memberships_of(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_tracker_memberships", None)
    if cached is None:
        cached = sorted(
            user.memberships.select_related("organization"), key=lambda m: (ROLE_ORDER.get(m.role, 9), m.pk)
        )
        user._tracker_memberships = cached
    return cached


def current_membership(request) -> Membership | None:
    memberships = memberships_of(request.user)
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0] if memberships else None


def page_actor(request) -> Actor:
    """The actor for a page: the user's rights through the chosen membership only."""
    cached = getattr(request, "_tracker_page_actor", None)
    if cached is not None:
        return cached
    full = actor_for(request.user)
    membership = current_membership(request)
    if membership is None:
        actor = full
    else:
        actor = Actor(
            user=request.user,
            is_admin=full.is_admin and (request.user.is_superuser or membership.role == "admin"),
            orgs={membership.role: frozenset({membership.organization_id})},
            jurisdictions={membership.role: (jurisdiction_prefix(membership.organization.region_code),)},
        )
    request._tracker_page_actor = actor
    return actor


def current_role(request) -> str | None:
    membership = current_membership(request)
    if membership is not None:
        return membership.role
    return "admin" if request.user.is_authenticated and request.user.is_superuser else None


@login_required
@require_POST
def membership_switch(request):
    wanted = request.POST.get("membership", "")
    for membership in memberships_of(request.user):
        if str(membership.pk) == wanted:
            request.session[SESSION_KEY] = membership.pk
            break
    target = request.POST.get("next") or "/home/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/home/"
    return HttpResponseRedirect(target)
