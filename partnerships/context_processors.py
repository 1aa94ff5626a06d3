"""What every page's header needs: who is signed in, in which membership."""

from partnerships.views.membership import current_membership, current_role, memberships_of


def tracker(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "memberships": memberships_of(request.user),
        "current_membership": current_membership(request),
        "current_role": current_role(request),
    }
