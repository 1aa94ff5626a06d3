"""Grants and responsibilities, now or as of an instant T."""

from datetime import datetime

from django.db.models import Q, QuerySet

from contracts.models import DataUsePermission, Dataset, PermissionVersion, ResponsibilityAssignment
from contracts.selectors.agreements import agreement_visibility_q
from partnerships.actors import Actor
from partnerships.codes import Role


def permissions_visible_to(actor: Actor) -> QuerySet[DataUsePermission]:
    return DataUsePermission.objects.filter(agreement_visibility_q(actor, "agreement__")).select_related(
        "agreement", "dataset"
    )


def datasets_visible_to(actor: Actor) -> QuerySet[Dataset]:
    """Officers, supervisors and auditors see the catalogue; partners see what they were granted."""
    if actor.is_admin or actor.has_role(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR):
        return Dataset.objects.select_related("owner")
    return Dataset.objects.filter(
        permissions__agreement__partner_id__in=actor.org_ids(Role.PARTNER)
    ).distinct().select_related("owner")


def responsibilities_visible_to(actor: Actor) -> QuerySet[ResponsibilityAssignment]:
    return ResponsibilityAssignment.objects.filter(agreement_visibility_q(actor, "agreement__")).select_related(
        "agreement", "party", "contact"
    )


def _in_force_q(at: datetime, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": at}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": at}))


def permission_version_at(permission: DataUsePermission, at: datetime) -> PermissionVersion | None:
    """The version of a grant that was in force at ``at`` (None before it was granted)."""
    return permission.versions.filter(_in_force_q(at, "effective_from", "effective_to")).first()


def permission_versions_at(agreement_id: int, at: datetime) -> QuerySet[PermissionVersion]:
    return PermissionVersion.objects.filter(
        _in_force_q(at, "effective_from", "effective_to"), permission__agreement_id=agreement_id
    ).select_related("permission__dataset")


def responsibilities_at(agreement_id: int, at: datetime) -> QuerySet[ResponsibilityAssignment]:
    return ResponsibilityAssignment.objects.filter(
        _in_force_q(at, "valid_from", "valid_to"), agreement_id=agreement_id
    ).select_related("party", "contact")


def accountable_at(agreement_id: int, area: str, at: datetime) -> ResponsibilityAssignment | None:
    return responsibilities_at(agreement_id, at).filter(area=area, raci="A").first()
