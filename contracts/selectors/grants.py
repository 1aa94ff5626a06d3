"""Grants and responsibilities, now or as of an instant T."""

from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from contracts.codes import TRANSFER_MODELS, Area
from contracts.models import Agreement, AgreementTransition, DataUsePermission, Dataset, PermissionVersion
from contracts.models import ResponsibilityAssignment
from contracts.selectors.agreements import agreement_visibility_q
from partnerships.actors import Actor
from partnerships.codes import Role


def permissions_visible_to(actor: Actor) -> QuerySet[DataUsePermission]:
    return DataUsePermission.objects.filter(agreement_visibility_q(actor, "agreement__")).select_related(
        "agreement", "dataset", "status_changed_by"
    )


def datasets_visible_to(actor: Actor) -> QuerySet[Dataset]:
    """The catalogue a person may see.

    Officers, supervisors and auditors see the datasets owned by agencies in their
    jurisdiction, plus any dataset granted under an agreement they see (a grant may
    name another province's data); partners see only what they were granted.
    """
    if actor.is_admin:
        return Dataset.objects.select_related("owner")
    q = Q(pk__in=[])
    for prefix in actor.regions(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR):
        q |= Q(owner__region_code__startswith=prefix)
    granted = DataUsePermission.objects.filter(agreement_visibility_q(actor, "agreement__")).values("dataset_id")
    q |= Q(pk__in=granted)
    return Dataset.objects.filter(q).select_related("owner")


def responsibilities_visible_to(actor: Actor) -> QuerySet[ResponsibilityAssignment]:
    return ResponsibilityAssignment.objects.filter(agreement_visibility_q(actor, "agreement__")).select_related(
        "agreement", "party", "contact"
    )


def grant_status(agreement: Agreement, dataset: Dataset) -> str | None:
    """The status of the agreement's grant for the dataset (there is one at most), or None."""
    return DataUsePermission.objects.filter(agreement=agreement, dataset=dataset).values_list("status", flat=True).first()


def _in_force_q(at: datetime, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": at}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": at}))


STATUS_CHANGES = ("suspend", "reinstate", "revoke")


def with_last_status_change(versions: QuerySet[PermissionVersion]) -> QuerySet[PermissionVersion]:
    """Annotate each version with the grant's last status change up to it (reason, who, when),
    so a grant as of T carries the same status fields it carried at T."""
    last = PermissionVersion.objects.filter(
        permission=OuterRef("permission"), number__lte=OuterRef("number"), change__in=STATUS_CHANGES
    ).order_by("-number")
    return versions.annotate(
        status_reason_then=Subquery(last.values("reason")[:1]),
        status_changed_at_then=Subquery(last.values("effective_from")[:1]),
        status_changed_by_then=Subquery(last.values("changed_by__username")[:1]),
    )


def permission_version_at(permission: DataUsePermission, at: datetime) -> PermissionVersion | None:
    """The version of a grant that was in force at ``at`` (None before it was granted)."""
    return with_last_status_change(permission.versions.filter(_in_force_q(at, "effective_from", "effective_to"))).first()


def permission_versions_at(agreement_id: int, at: datetime) -> QuerySet[PermissionVersion]:
    return PermissionVersion.objects.filter(
        _in_force_q(at, "effective_from", "effective_to"), permission__agreement_id=agreement_id
    ).select_related("permission__dataset")


def permission_versions_in_force(permissions: QuerySet[DataUsePermission], at: datetime) -> QuerySet[PermissionVersion]:
    """For each of ``permissions`` (already scoped), the version in force at ``at``.

    A grant made after ``at`` has no such version and drops out; a suspended or
    revoked one is there with that status, because that is what stood at ``at``.
    """
    versions = PermissionVersion.objects.filter(
        _in_force_q(at, "effective_from", "effective_to"), permission__in=permissions
    ).select_related("permission__agreement", "permission__dataset")
    return with_last_status_change(versions).order_by("permission__agreement_id", "permission__dataset__code", "permission_id")


def responsibilities_at(agreement_id: int, at: datetime) -> QuerySet[ResponsibilityAssignment]:
    return ResponsibilityAssignment.objects.filter(
        _in_force_q(at, "valid_from", "valid_to"), agreement_id=agreement_id
    ).select_related("party", "contact")


def responsibilities_in_force(
    assignments: QuerySet[ResponsibilityAssignment], at: datetime
) -> QuerySet[ResponsibilityAssignment]:
    return assignments.filter(_in_force_q(at, "valid_from", "valid_to"))


def accountable_at(agreement_id: int, area: str, at: datetime) -> ResponsibilityAssignment | None:
    return responsibilities_at(agreement_id, at).filter(area=area, raci="A").first()


def agreement_status_at(agreement: Agreement, at: datetime) -> str | None:
    """The agreement's status at ``at``, from its transition rows.

    Transitions may be recorded with an earlier ``at`` than the row's creation (an
    agreement registered after it was signed), so they decide; with none by then it
    was a draft, or nothing at all before it was registered.
    """
    last = AgreementTransition.objects.filter(agreement=agreement, at__lte=at).order_by("-at", "-id").first()
    if last is not None:
        return last.to_status
    return "draft" if agreement.created_at <= at else None


# Models with a build phase, whose construction someone must answer for.
_BUILD_MODELS = frozenset({"BOT", "BOOT", "BOO", "BTO", "ROT"})
# Every data agreement needs someone accountable for these (alerts are routed to them).
_BASELINE_AREAS = ("data_security", "incident_response")


def required_areas(agreement: Agreement, at: datetime) -> set[str]:
    """The areas someone must be accountable for under ``agreement`` at ``at``.

    The baseline for any data agreement; personal-information protection when a
    grant standing at ``at`` covers personal data; construction and asset transfer
    for the models that have them; and any area that has ever had an assignment
    up to ``at`` (someone responsible or consulted but nobody accountable, or an
    accountable party whose assignment ended without a successor).
    """
    areas = set(_BASELINE_AREAS)
    personal = permission_versions_at(agreement.pk, at).exclude(permission__dataset__personal_info="none")
    if personal.exists():
        areas.add("personal_information")
    if agreement.model in _BUILD_MODELS:
        areas.add("construction")
    if agreement.model in TRANSFER_MODELS:
        areas.add("asset_transfer")
    areas |= set(
        ResponsibilityAssignment.objects.filter(agreement=agreement, valid_from__lte=at).values_list("area", flat=True)
    )
    return areas


def responsibility_gaps(agreement: Agreement, at: datetime) -> list[str]:
    """The areas of an agreement active at ``at`` that have no accountable party then, in code-list order.

    An agreement that was not active at ``at`` has no gaps: nothing is being done under it.
    """
    if agreement_status_at(agreement, at) != "active":
        return []
    covered = set(responsibilities_at(agreement.pk, at).filter(raci="A").values_list("area", flat=True))
    missing = required_areas(agreement, at) - covered
    return [area for area in Area.values if area in missing]
