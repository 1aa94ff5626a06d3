"""Writes to agreements: creation, draft edits, status transitions, amendments."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import AGREEMENT_TRANSITIONS, TRANSFER_MODELS, AgreementModel
from contracts.models import Agreement, AgreementTransition, AgreementVersion
from contracts.models.agreements import AMENDABLE_TERMS
from contracts.services.common import require_manager
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError
from partnerships.codes import OrganizationKind, Role
from partnerships.models import Organization, Partnership


def _check_parties(government: Organization, partner: Organization) -> None:
    errors = {}
    if government.kind != OrganizationKind.GOVERNMENT:
        errors["government"] = _("The government party must be a government agency.")
    if partner.kind not in (OrganizationKind.ENTERPRISE, OrganizationKind.SPV):
        errors["partner"] = _("The partner party must be an enterprise or a special-purpose vehicle.")
    if errors:
        raise ValidationError(errors)


def _check_terms(terms: dict) -> None:
    errors = {}
    starts_on, ends_on = terms.get("starts_on"), terms.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date must not be before the start date.")
    signed_on = terms.get("signed_on")
    if signed_on and ends_on and signed_on > ends_on:
        errors["signed_on"] = _("The signing date must not be after the end date.")
    if terms.get("value") is not None and Decimal(terms["value"]) < 0:
        errors["value"] = _("The value must not be negative.")
    if terms.get("model") and terms["model"] not in AgreementModel.values:
        errors["model"] = _("Unknown agreement model.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    reference: str,
    title: str,
    model: str,
    government: Organization,
    partner: Organization,
    starts_on: datetime.date,
    ends_on: datetime.date,
    signed_on: datetime.date | None = None,
    value: Decimal = Decimal("0"),
    currency: str = "CNY",
    description: str = "",
    partnership: Partnership | None = None,
) -> Agreement:
    if not (actor.is_admin or government.pk in actor.org_ids(Role.OFFICER)):
        raise PermissionDenied(_("Only officers of the government party may register its agreements."))
    _check_parties(government, partner)
    terms = dict(title=title, model=model, starts_on=starts_on, ends_on=ends_on, signed_on=signed_on, value=value)
    _check_terms(terms)
    if partnership is not None and (partnership.government_id, partnership.partner_id) != (government.pk, partner.pk):
        raise ValidationError({"partnership": _("The partnership must be between the same two parties.")})
    if Agreement.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": _("An agreement with this reference already exists.")})
    agreement = Agreement.objects.create(
        reference=reference,
        title=title,
        model=model,
        government=government,
        partner=partner,
        partnership=partnership,
        starts_on=starts_on,
        ends_on=ends_on,
        signed_on=signed_on,
        value=value,
        currency=currency,
        description=description,
        created_by=actor.user,
    )
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        rationale=_("Original agreement"),
        effective_on=signed_on or starts_on,
        terms=agreement.terms(),
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="agreement.create",
        obj=agreement,
        after={"reference": reference, "government": government.pk, "partner": partner.pk, **agreement.terms()},
        organization=government,
    )
    return agreement


@transaction.atomic
def agreement_update_draft(*, actor: Actor, agreement: Agreement, **changes) -> Agreement:
    """A draft is not yet binding, so it is edited in place; a signed agreement is amended."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_manager(actor, agreement)
    if agreement.status != "draft":
        raise ConflictError(
            _("Only a draft can be edited; record an amendment to change an agreement in force."), code="not_draft"
        )
    unknown = set(changes) - set(AMENDABLE_TERMS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = agreement.terms()
    merged = {name: getattr(agreement, name) for name in AMENDABLE_TERMS} | changes
    _check_terms(merged)
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement.save()
    AgreementVersion.objects.filter(agreement=agreement, number=1).update(
        terms=agreement.terms(), effective_on=agreement.signed_on or agreement.starts_on
    )
    after = agreement.terms()
    changed = [name for name in AMENDABLE_TERMS if before[name] != after[name]]
    audit_record(
        actor=actor,
        action="agreement.update_draft",
        obj=agreement,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        organization=agreement.government_id,
    )
    return agreement


@transaction.atomic
def agreement_transition(
    *, actor: Actor, agreement: Agreement, action: str, reason: str, at: datetime.datetime | None = None
) -> Agreement:
    """Move an agreement through its lifecycle, refusing any move its state does not allow."""
    if action not in AGREEMENT_TRANSITIONS:
        raise ValidationError({"action": _("Unknown transition.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_manager(actor, agreement)
    at = at or timezone.now()
    sources, target = AGREEMENT_TRANSITIONS[action]
    if agreement.status not in sources:
        raise ConflictError(
            _("A %(status)s agreement cannot be %(target)s.") % {"status": agreement.status, "target": target},
            code="illegal_transition",
        )
    if action == "transfer" and agreement.model not in TRANSFER_MODELS:
        raise ConflictError(_("Only BOT, BOOT, BTO, TOT and ROT agreements are transferred."), code="not_transferable")
    if action == "expire" and timezone.localdate(at) <= agreement.ends_on:
        raise ConflictError(_("An agreement expires only after its end date."), code="not_ended")
    AgreementTransition.objects.create(
        agreement=agreement, from_status=agreement.status, to_status=target, actor=actor.user, reason=reason, at=at
    )
    before = {"status": agreement.status}
    agreement.status = target
    agreement.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=f"agreement.{action}",
        obj=agreement,
        before=before,
        after={"status": target, "reason": reason, "at": at},
        organization=agreement.government_id,
    )
    return agreement


@transaction.atomic
def agreement_amend(
    *, actor: Actor, agreement: Agreement, rationale: str, effective_on: datetime.date, changes: dict
) -> AgreementVersion:
    """Record an amendment as the next version; earlier versions stay as they were."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_manager(actor, agreement)
    if agreement.status not in ("active", "suspended"):
        raise ConflictError(
            _("Only an active or suspended agreement is amended (a draft is edited)."), code="not_amendable"
        )
    if not rationale or not rationale.strip():
        raise ValidationError({"rationale": _("A rationale is required.")})
    unknown = set(changes) - set(AMENDABLE_TERMS)
    if unknown:
        raise ValidationError({"changes": _("These terms cannot be amended: %s") % ", ".join(sorted(unknown))})
    before = agreement.terms()
    merged = {name: getattr(agreement, name) for name in AMENDABLE_TERMS} | changes
    _check_terms(merged)
    for name, value in changes.items():
        setattr(agreement, name, value)
    after = agreement.terms()
    diff = {name: [before[name], after[name]] for name in AMENDABLE_TERMS if before[name] != after[name]}
    if not diff:
        raise ValidationError({"changes": _("The amendment changes nothing.")})
    agreement.version += 1
    agreement.save()
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=agreement.version,
        rationale=rationale,
        effective_on=effective_on,
        terms=after,
        changes=diff,
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="agreement.amend",
        obj=agreement,
        before={"version": agreement.version - 1, **{name: pair[0] for name, pair in diff.items()}},
        after={
            "version": agreement.version,
            "effective_on": effective_on,
            "rationale": rationale,
            **{name: pair[1] for name, pair in diff.items()},
        },
        organization=agreement.government_id,
    )
    return version
