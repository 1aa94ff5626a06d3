"""Who may reach an agreement and what hangs off it, decided before any body is read.

The order matters to clients: 401 when nobody signed in, 404 for an agreement the
person may not see (never its content), 403 for one they see but may not change.
"""

from django.shortcuts import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from contracts.selectors.agreements import agreements_visible_to, can_manage_agreement
from partnerships.actors import actor_for
from partnerships.codes import Role

MANAGE_DENIED = "Only officers of the government party may change this agreement."


class ManagesAgreement(BasePermission):
    """Anyone who sees an agreement reads it; only its managers write."""

    message = MANAGE_DENIED

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "create" and not hasattr(view, "get_agreement"):
            # Registering an agreement: only officers (of some agency) and admins get as far as the body.
            return actor_for(request.user).has_role(Role.OFFICER)
        if hasattr(view, "get_agreement"):
            return can_manage_agreement(actor_for(request.user), view.get_agreement())
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        agreement = getattr(obj, "agreement", obj)
        return can_manage_agreement(actor_for(request.user), agreement)


class UnderAgreementMixin:
    """For routes nested under /agreements/{agreement_id}/: the parent comes from the
    person's visible agreements, so a foreign one is a 404 before anything else."""

    permission_classes = [ManagesAgreement]

    def get_agreement(self):
        if not hasattr(self, "_agreement"):
            actor = actor_for(self.request.user)
            self._agreement = get_object_or_404(agreements_visible_to(actor), pk=self.kwargs["agreement_id"])
        return self._agreement

    def is_schema_run(self) -> bool:
        return getattr(self, "swagger_fake_view", False)
