"""Who is asking: the organizations a user acts for, by role.

Selectors and services take an ``Actor`` rather than reading memberships
themselves, so the rules of DESIGN section 2 live in one place.
"""

from dataclasses import dataclass, field

from partnerships.codes import Role
from partnerships.validators import jurisdiction_prefix


@dataclass(frozen=True)
class Actor:
    user: object
    is_admin: bool = False
    orgs: dict = field(default_factory=dict)  # role -> frozenset of organization ids
    jurisdictions: dict = field(default_factory=dict)  # role -> tuple of region prefixes

    def org_ids(self, *roles: str) -> frozenset:
        out = frozenset()
        for role in roles:
            out |= self.orgs.get(role, frozenset())
        return out

    def has_role(self, *roles: str) -> bool:
        return self.is_admin or any(self.orgs.get(role) for role in roles)

    def regions(self, *roles: str) -> tuple:
        out = ()
        for role in roles:
            out += self.jurisdictions.get(role, ())
        return out

    @property
    def is_auditor_only(self) -> bool:
        return not self.is_admin and set(self.orgs) == {Role.AUDITOR}


def actor_for(user) -> Actor:
    """Build (and cache on the user object) the actor for one request."""
    if user is None or not user.is_authenticated:
        return Actor(user=user)
    cached = getattr(user, "_tracker_actor", None)
    if cached is not None:
        return cached
    orgs: dict[str, set] = {}
    regions: dict[str, list] = {}
    for role, org_id, region in user.memberships.values_list("role", "organization_id", "organization__region_code"):
        orgs.setdefault(role, set()).add(org_id)
        regions.setdefault(role, []).append(jurisdiction_prefix(region))
    actor = Actor(
        user=user,
        is_admin=bool(user.is_superuser or Role.ADMIN in orgs),
        orgs={role: frozenset(ids) for role, ids in orgs.items()},
        jurisdictions={role: tuple(sorted(set(p))) for role, p in regions.items()},
    )
    user._tracker_actor = actor
    return actor
