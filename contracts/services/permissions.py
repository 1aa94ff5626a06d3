"""Writes to grants. Every change closes the version in force and opens the next,
so "what was granted at T" is a range lookup, never a reconstruction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import FINAL_AGREEMENT_STATUSES, PERMISSION_TRANSITIONS, Action, Purpose
from contracts.models import Agreement, DataUsePermission, Dataset, PermissionVersion
from contracts.models.permissions import GRANT_TERMS
from contracts.selectors.grants import grant_status
from contracts.services.common import require_manager
from contracts.years import OUTSIDE_YEARS, within_years
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError
from partnerships.models import Organization

# The columns' ranges: quota_count is a bigint; deletion within a century is the longest a grant asks for.
MAX_QUOTA = 2**63 - 1
MAX_DELETE_WITHIN_DAYS = 36500


def check_grant_terms(terms: dict) -> None:
    """Field-level checks shared by grants and (later) requests for grants."""
    errors = {}
    actions = terms.get("actions")
    if not actions or not isinstance(actions, (list, tuple)):
        errors["actions"] = _("Grant at least one action.")
    elif bad := sorted(set(map(str, actions)) - set(Action.values)):
        errors["actions"] = _("Unknown ODRL actions: %s") % ", ".join(bad)
    purposes = terms.get("purposes")
    if not purposes or not isinstance(purposes, (list, tuple)):
        errors["purposes"] = _("Grant at least one purpose.")
    elif bad := sorted(set(map(str, purposes)) - set(Purpose.values)):
        errors["purposes"] = _("Unknown purposes: %s") % ", ".join(bad)
    valid_from, valid_until = terms.get("valid_from"), terms.get("valid_until")
    for name, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if not within_years(value):
            errors[name] = OUTSIDE_YEARS
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = _("The end of validity must be after its start.")
    quota = terms.get("quota_count")
    if quota is not None and quota < 0:
        errors["quota_count"] = _("The quota must not be negative.")
    elif quota is not None and quota > MAX_QUOTA:
        errors["quota_count"] = _("The quota must be at most %(max)d.") % {"max": MAX_QUOTA}
    delete_within_days = terms.get("delete_within_days")
    if delete_within_days is not None and not 0 <= delete_within_days <= MAX_DELETE_WITHIN_DAYS:
        errors["delete_within_days"] = _("Give a number of days from 0 to %(max)d.") % {"max": MAX_DELETE_WITHIN_DAYS}
    if errors:
        raise ValidationError(errors)


def refuse_ended_agreement(agreement: Agreement) -> None:
    """The grants of an ended agreement may still be narrowed (suspended, revoked), never
    widened: no new grant, no change of terms, no reinstatement. Call with the agreement locked."""
    if agreement.status in FINAL_AGREEMENT_STATUSES:
        raise ConflictError(
            _("The grants of a %s agreement can only be suspended or revoked.") % agreement.status,
            code="agreement_final",
        )


def grant_snapshot(permission: DataUsePermission) -> dict:
    """The terms and status of a grant, as audit before/after values."""
    return {
        "version": permission.version,
        "status": permission.status,
        "recipients": sorted(permission.recipients.values_list("pk", flat=True)),
        **{name: getattr(permission, name) for name in GRANT_TERMS},
    }


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    names = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in names}, {name: after[name] for name in names}


def _open_version(
    permission: DataUsePermission, *, change: str, reason: str, actor: Actor, at: datetime.datetime
) -> PermissionVersion:
    current = permission.versions.filter(effective_to__isnull=True).first()
    if current is not None and at < current.effective_from:
        # Closing the version in force before it began would leave a range that ends before it starts.
        raise ValidationError({"at": _("A change cannot take effect before the version in force began.")})
    permission.versions.filter(effective_to__isnull=True).update(effective_to=at)
    version = PermissionVersion(
        permission=permission,
        number=permission.version,
        status=permission.status,
        recipient_ids=sorted(permission.recipients.values_list("pk", flat=True)),
        change=change,
        reason=reason,
        effective_from=at,
        changed_by=actor.user,
        **{name: getattr(permission, name) for name in GRANT_TERMS},
    )
    version.save()
    return version


@transaction.atomic
def permission_grant(
    *,
    actor: Actor,
    agreement: Agreement,
    dataset: Dataset,
    actions: list[str],
    purposes: list[str],
    valid_from: datetime.datetime,
    valid_until: datetime.datetime | None = None,
    quota_count: int | None = None,
    quota_interval: str = "month",
    quota_unit: str = "records",
    recipients: list[Organization] = (),
    declaration_schedule: str = "monthly",
    declaration_due_days: int = 10,
    delete_within_days: int | None = None,
    anonymize_required: bool = False,
    at: datetime.datetime | None = None,
) -> DataUsePermission:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_manager(actor, agreement)
    if agreement.status in FINAL_AGREEMENT_STATUSES:
        raise ConflictError(_("No grant can be added to a %s agreement.") % agreement.status, code="agreement_final")
    terms = dict(
        actions=sorted(set(actions)),
        purposes=sorted(set(purposes)),
        valid_from=valid_from,
        valid_until=valid_until,
        quota_count=quota_count,
        quota_interval=quota_interval,
        quota_unit=quota_unit,
        declaration_schedule=declaration_schedule,
        declaration_due_days=declaration_due_days,
        delete_within_days=delete_within_days,
        anonymize_required=anonymize_required,
    )
    check_grant_terms(terms)
    status = grant_status(agreement, dataset)
    if status == "revoked":  # revocation is final: one grant per agreement and dataset
        raise ValidationError(
            {"dataset": _("This agreement's grant for this dataset was revoked; it cannot be granted again under this agreement.")}
        )
    if status is not None:
        raise ValidationError(
            {"dataset": _("This agreement already has a grant for this dataset; change that grant instead.")}
        )
    permission = DataUsePermission.objects.create(agreement=agreement, dataset=dataset, created_by=actor.user, **terms)
    permission.recipients.set(recipients)
    at = at or timezone.now()
    _open_version(permission, change="grant", reason="", actor=actor, at=at)
    audit_record(
        actor=actor,
        action="grant.create",
        obj=permission,
        after={"agreement": agreement.pk, "dataset": dataset.code, "effective_from": at, **grant_snapshot(permission)},
        organization=agreement.government_id,
    )
    return permission


@transaction.atomic
def permission_change(
    *, actor: Actor, permission: DataUsePermission, reason: str, recipients=None, at=None, **changes
) -> DataUsePermission:
    """Change a grant's terms: the next version, effective now (or ``at``).

    Any change may widen the grant, so none is made once the agreement has ended.
    """
    # The agreement is locked before the grant, as grant_request_submit takes them, so the two
    # never wait on each other; a grant never moves to another agreement, so its id can be trusted.
    agreement = Agreement.objects.select_for_update().get(pk=permission.agreement_id)
    permission = DataUsePermission.objects.select_for_update().get(pk=permission.pk)
    require_manager(actor, agreement)
    refuse_ended_agreement(agreement)
    if permission.status == "revoked":
        raise ConflictError(_("A revoked grant cannot be changed."), code="permission_revoked")
    unknown = set(changes) - set(GRANT_TERMS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    for name in ("actions", "purposes"):
        if name in changes:
            changes[name] = sorted(set(changes[name]))
    check_grant_terms({name: getattr(permission, name) for name in GRANT_TERMS} | changes)
    before = grant_snapshot(permission)
    for name, value in changes.items():
        setattr(permission, name, value)
    permission.version += 1
    permission.save()
    if recipients is not None:
        permission.recipients.set(recipients)
    at = at or timezone.now()
    _open_version(permission, change="change", reason=reason, actor=actor, at=at)
    old, new = _changed(before, grant_snapshot(permission))
    audit_record(
        actor=actor,
        action="grant.change",
        obj=permission,
        before=old,
        after={**new, "reason": reason, "effective_from": at},
        organization=permission.agreement.government_id,
    )
    return permission


@transaction.atomic
def permission_set_status(
    *, actor: Actor, permission: DataUsePermission, action: str, reason: str, at=None
) -> DataUsePermission:
    """Suspend, reinstate or revoke a grant, with who, when and why."""
    if action not in PERMISSION_TRANSITIONS:
        raise ValidationError({"action": _("Unknown status change.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    agreement = Agreement.objects.select_for_update().get(pk=permission.agreement_id)  # before the grant
    permission = DataUsePermission.objects.select_for_update().get(pk=permission.pk)
    require_manager(actor, agreement)
    if action == "reinstate":  # widens the grant again; suspending and revoking only narrow it
        refuse_ended_agreement(agreement)
    sources, target = PERMISSION_TRANSITIONS[action]
    if permission.status not in sources:
        raise ConflictError(
            _("A %(status)s grant cannot be %(target)s.") % {"status": permission.status, "target": target},
            code="illegal_transition",
        )
    at = at or timezone.now()
    before = {"status": permission.status, "version": permission.version}
    permission.status = target
    permission.status_reason = reason
    permission.status_changed_by = actor.user
    permission.status_changed_at = at
    permission.version += 1
    permission.save()
    _open_version(permission, change=action, reason=reason, actor=actor, at=at)
    audit_record(
        actor=actor,
        action=f"grant.{action}",
        obj=permission,
        before=before,
        after={"status": target, "version": permission.version, "reason": reason, "effective_from": at},
        organization=permission.agreement.government_id,
    )
    return permission
