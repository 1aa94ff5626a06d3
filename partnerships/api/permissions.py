"""Who may call what, before any object is looked at."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from partnerships.actors import actor_for


class IsTrackerAdmin(BasePermission):
    """Superusers and members holding the ``admin`` role."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and actor_for(request.user).is_admin)


class ReadAnyWriteAdmin(BasePermission):
    """Anyone signed in reads (a public registry); only administrators write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or actor_for(request.user).is_admin


class ReadAnyWriteRoles(BasePermission):
    """Anyone signed in reads (rows are scoped by the selector); only the view's
    ``write_roles`` (or administrators) may send a write at all."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return actor_for(request.user).has_role(*view.write_roles)
