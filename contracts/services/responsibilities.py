"""Who answers for what, over time."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contracts.codes import Area, Raci
from contracts.models import Agreement, ResponsibilityAssignment
from contracts.services.common import require_manager
from contracts.years import OUTSIDE_YEARS, within_years
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError
from partnerships.models import Organization

_TWO_ACCOUNTABLE = _("This area already has an accountable party for part of that period; end that assignment first.")


def _overlapping_accountable(agreement_id, area, valid_from, valid_to, exclude_pk=None):
    qs = ResponsibilityAssignment.objects.filter(agreement_id=agreement_id, area=area, raci="A").filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    )
    if valid_to is not None:
        qs = qs.filter(valid_from__lt=valid_to)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def responsibility_assign(
    *,
    actor: Actor,
    agreement: Agreement,
    area: str,
    party: Organization,
    raci: str,
    valid_from: datetime.datetime,
    valid_to: datetime.datetime | None = None,
    contact=None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> ResponsibilityAssignment:
    # Locking the agreement serialises assignments to it, so the check below is sound on SQLite too.
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_manager(actor, agreement)
    errors = {}
    if area not in Area.values:
        errors["area"] = _("Unknown area.")
    if raci not in Raci.values:
        errors["raci"] = _("RACI must be one of R, A, C, I.")
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if not within_years(value):
            errors[name] = OUTSIDE_YEARS
    if valid_to is not None and valid_to <= valid_from and not errors.keys() & {"valid_from", "valid_to"}:
        errors["valid_to"] = _("The end must be after the start.")
    if contact is not None and not contact.memberships.filter(organization=party).exists():
        errors["contact"] = _("The contact must act for the party.")
    if errors:
        raise ValidationError(errors)
    if raci == "A" and _overlapping_accountable(agreement.pk, area, valid_from, valid_to):
        raise ValidationError({"raci": _TWO_ACCOUNTABLE})
    try:
        with transaction.atomic():
            assignment = ResponsibilityAssignment.objects.create(
                agreement=agreement,
                area=area,
                party=party,
                raci=raci,
                valid_from=valid_from,
                valid_to=valid_to,
                contact=contact,
                contact_name=contact_name or (contact.get_full_name() if contact else ""),
                contact_email=contact_email or (contact.email if contact else ""),
                contact_phone=contact_phone,
                created_by=actor.user,
            )
    except IntegrityError as exc:  # the PostgreSQL exclusion constraint, under a race
        if "responsibility_one_accountable" in str(exc):
            raise ValidationError({"raci": _TWO_ACCOUNTABLE}) from None
        raise
    audit_record(
        actor=actor,
        action="responsibility.assign",
        obj=assignment,
        after={
            "agreement": agreement.pk,
            "area": area,
            "party": party.pk,
            "raci": raci,
            "contact": assignment.contact_id,
            "contact_name": assignment.contact_name,
            "contact_email": assignment.contact_email,
            "contact_phone": assignment.contact_phone,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
        organization=agreement.government_id,
    )
    return assignment


@transaction.atomic
def responsibility_end(
    *, actor: Actor, assignment: ResponsibilityAssignment, valid_to: datetime.datetime, reason: str
) -> ResponsibilityAssignment:
    """Close an assignment; history is kept, never deleted."""
    assignment = ResponsibilityAssignment.objects.select_for_update().get(pk=assignment.pk)
    require_manager(actor, assignment.agreement)
    if assignment.valid_to is not None and assignment.valid_to <= valid_to:
        raise ConflictError(_("This assignment has already ended."), code="already_ended")
    if not within_years(valid_to):
        raise ValidationError({"valid_to": OUTSIDE_YEARS})
    if valid_to <= assignment.valid_from:
        raise ValidationError({"valid_to": _("The end must be after the start.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    before = {"valid_to": assignment.valid_to}
    assignment.valid_to = valid_to
    assignment.end_reason = reason
    assignment.save(update_fields=["valid_to", "end_reason"])
    audit_record(
        actor=actor,
        action="responsibility.end",
        obj=assignment,
        before=before,
        after={"valid_to": valid_to, "reason": reason},
        organization=assignment.agreement.government_id,
    )
    return assignment
