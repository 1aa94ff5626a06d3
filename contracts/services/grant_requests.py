"""Writes to grant requests: a partner asks, the government party's officers decide.

Nothing is granted here directly: approval goes through ``permission_grant`` or
``permission_change`` and records the decision and the resulting grant version
in the same transaction, so a grant version from a request always has its
decision, and a decision always has its grant version.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import GrantRequestKind, RefusalReason
from contracts.grant_scope import SCOPE_FIELDS, changed_fields, normalize, terms_of, widened_fields
from contracts.models import (
    Agreement,
    DataUsePermission,
    Dataset,
    GrantRequest,
    GrantRequestAttachment,
    GrantRequestComment,
    PermissionVersion,
)
from contracts.models.permissions import GRANT_TERMS
from contracts.selectors.agreements import can_declare_for, can_manage_agreement
from contracts.selectors.grants import grant_status
from contracts.services.common import refuse_larger_than, require_manager
from contracts.services.agreement_parts import short_file_name
from contracts.services.permissions import (
    check_grant_terms,
    permission_change,
    permission_grant,
    refuse_ended_agreement,
)
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError
from partnerships.models import Organization

# Defaults for a new grant's terms the partner leaves out (the model's defaults).
_NEW_DEFAULTS = {
    "valid_until": None,
    "quota_count": None,
    "quota_interval": "month",
    "quota_unit": "records",
    "declaration_schedule": "monthly",
    "declaration_due_days": 10,
    "delete_within_days": None,
    "anonymize_required": False,
}


def _audit(actor: Actor, action: str, grant_request: GrantRequest, *, before=None, after=None) -> None:
    """One audit entry per step, for the government party's jurisdiction; called last, as the trail asks."""
    audit_record(
        actor=actor,
        action=f"grant_request.{action}",
        obj=grant_request,
        object_type="grant_request",
        before=before,
        after=after,
        organization=grant_request.agreement.government_id,
    )


def _require_pending(grant_request: GrantRequest) -> None:
    if grant_request.status != "pending":
        raise ConflictError(
            _("This request is %(status)s; only a pending request can be changed.") % {"status": grant_request.status},
            code="not_pending",
        )


def _lock(grant_request: GrantRequest) -> GrantRequest:
    return (
        GrantRequest.objects.select_for_update(of=("self",))
        .select_related("agreement", "dataset", "permission")
        .get(pk=grant_request.pk)
    )


def _check_unknown(given: dict) -> None:
    unknown = set(given) - set(SCOPE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field is not part of a grant's scope.") for name in sorted(unknown)})


@transaction.atomic
def grant_request_submit(
    *,
    actor: Actor,
    agreement: Agreement,
    kind: str,
    justification: str,
    dataset: Dataset | None = None,
    permission: DataUsePermission | None = None,
    at: datetime.datetime | None = None,
    from_alert_id: int | None = None,
    **asked,
) -> GrantRequest:
    """File a request under an agreement. ``asked`` holds scope fields (``recipients``: organizations).

    A change request starts from the grant's current terms: the partner names
    only what it wants different.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_declare_for(actor, agreement):
        raise PermissionDenied(_("Only the partner party of this agreement may ask for its grants."))
    _check_unknown(asked)
    if kind not in GrantRequestKind.values:
        raise ValidationError({"kind": _("The kind must be new or change.")})
    if not justification or not justification.strip():
        raise ValidationError({"justification": _("Say why the data is needed.")})
    if agreement.status != "active":
        raise ConflictError(_("Grants are asked for only under an active agreement."), code="agreement_not_active")
    at = at or timezone.now()
    recipients = asked.pop("recipients", None)

    if kind == "new":
        if permission is not None:
            raise ValidationError({"permission": _("A request for a new grant names no existing grant.")})
        if dataset is None:
            raise ValidationError({"dataset": _("Name the dataset asked for.")})
        status = grant_status(agreement, dataset)
        if status == "revoked":  # revocation is final, and a revoked grant cannot be changed
            raise ValidationError(
                {"dataset": _("This agreement's grant for this dataset was revoked; it cannot be asked for again under this agreement.")}
            )
        if status is not None:
            raise ValidationError(
                {"dataset": _("This agreement already has a grant for this dataset; ask for a change to it.")}
            )
        if GrantRequest.objects.filter(agreement=agreement, dataset=dataset, kind="new", status="pending").exists():
            raise ValidationError({"dataset": _("A request for this dataset is already pending.")})
        base = dict(_NEW_DEFAULTS, actions=[], purposes=[], valid_from=at, recipients=[])
        base_version = None
    else:
        if permission is None:
            raise ValidationError({"permission": _("Name the grant to change.")})
        permission = DataUsePermission.objects.select_for_update().get(pk=permission.pk)
        if permission.agreement_id != agreement.pk:
            raise ValidationError({"permission": _("This grant belongs to another agreement.")})
        if dataset is not None and dataset.pk != permission.dataset_id:
            raise ValidationError({"dataset": _("A change request keeps the grant's dataset.")})
        if permission.status == "revoked":
            raise ConflictError(_("A revoked grant cannot be changed."), code="permission_revoked")
        if GrantRequest.objects.filter(permission=permission, status="pending").exists():
            raise ValidationError({"permission": _("A change to this grant is already pending.")})
        dataset = permission.dataset
        base = terms_of(permission)
        base_version = permission.version

    terms = normalize({name: base[name] for name in GRANT_TERMS} | asked)
    recipient_ids = sorted({o.pk for o in recipients}) if recipients is not None else base["recipients"]
    check_grant_terms(terms)
    if kind == "change" and not changed_fields(base, terms | {"recipients": recipient_ids}):
        raise ValidationError({"non_field_errors": _("The request asks for nothing the grant does not already give.")})

    grant_request = GrantRequest.objects.create(
        agreement=agreement,
        dataset=dataset,
        kind=kind,
        permission=permission,
        base_version=base_version,
        justification=justification.strip(),
        submitted_by=actor.user,
        submitted_at=at,
        from_alert_id=from_alert_id,
        **terms,
    )
    grant_request.recipients.set(recipient_ids)
    _audit(
        actor,
        "submit",
        grant_request,
        after={
            "agreement": agreement.pk,
            "dataset": dataset.code,
            "kind": kind,
            "permission": permission.pk if permission else None,
            "base_version": base_version,
            "justification": grant_request.justification,
            "from_alert": from_alert_id,
            **terms,
            "recipients": recipient_ids,
        },
    )
    return grant_request


def _side(actor: Actor, grant_request: GrantRequest) -> str:
    if can_manage_agreement(actor, grant_request.agreement):
        return "government"
    if can_declare_for(actor, grant_request.agreement):
        return "partner"
    raise PermissionDenied(_("Only the two parties of the agreement take part in this request."))


@transaction.atomic
def grant_request_comment(
    *, actor: Actor, grant_request: GrantRequest, body: str, at: datetime.datetime | None = None
) -> GrantRequestComment:
    """A question or an answer; the thread stays open while the request waits for its decision."""
    grant_request = _lock(grant_request)
    side = _side(actor, grant_request)
    _require_pending(grant_request)
    if not body or not body.strip():
        raise ValidationError({"body": _("Write the comment.")})
    comment = GrantRequestComment.objects.create(
        request=grant_request, author=actor.user, side=side, body=body.strip(), created_at=at or timezone.now()
    )
    _audit(actor, "comment", grant_request, after={"comment": comment.pk, "side": side, "body": comment.body})
    return comment


@transaction.atomic
def grant_request_attach(*, actor: Actor, grant_request: GrantRequest, file, title: str = "") -> GrantRequestAttachment:
    grant_request = _lock(grant_request)
    _side(actor, grant_request)
    _require_pending(grant_request)
    if file is None:
        raise ValidationError({"file": _("Attach a file.")})
    refuse_larger_than(file, settings.GRANT_REQUEST_ATTACHMENT_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = GrantRequestAttachment(
        request=grant_request,
        title=(title or file.name or "").strip()[:300] or "attachment",
        sha256=digest.hexdigest(),
        size=file.size,
        content_type=(getattr(file, "content_type", "") or "")[:100],
        uploaded_by=actor.user,
    )
    # Stored as "<sha256>-<name>": the name is cut to fit the file system's 255 bytes.
    attachment.file.save(short_file_name(file.name, default="attachment"), file, save=False)
    attachment.save()
    _audit(
        actor,
        "attach",
        grant_request,
        after={"attachment": attachment.pk, "title": attachment.title, "sha256": attachment.sha256, "size": attachment.size},
    )
    return attachment


def _asked_terms(grant_request: GrantRequest) -> dict:
    return terms_of(grant_request)


def _grant_moved_since(grant_request: GrantRequest, permission: DataUsePermission) -> bool:
    """Did the grant's terms change after the partner asked? (Status changes don't count.)"""
    base = PermissionVersion.objects.filter(permission=permission, number=grant_request.base_version).first()
    if base is None:
        return True
    return bool(changed_fields(terms_of(base), terms_of(permission)))


@transaction.atomic
def grant_request_approve(
    *,
    actor: Actor,
    grant_request: GrantRequest,
    note: str = "",
    at: datetime.datetime | None = None,
    **narrowing,
) -> GrantRequest:
    """Approve, as asked or narrowed (``narrowing`` replaces scope fields, never widening them).

    The resulting grant version is linked to the request before the transaction commits.
    """
    grant_request = _lock(grant_request)
    require_manager(actor, grant_request.agreement)
    _require_pending(grant_request)
    _check_unknown(narrowing)
    at = at or timezone.now()

    asked = _asked_terms(grant_request)
    if "recipients" in narrowing and narrowing["recipients"] is not None:
        narrowing["recipients"] = [getattr(o, "pk", o) for o in narrowing["recipients"]]
    approved = normalize(asked | narrowing)
    check_grant_terms(approved)
    if errors := widened_fields(asked, approved):
        raise ValidationError(errors)
    narrowed = changed_fields(asked, approved)
    recipients = list(Organization.objects.filter(pk__in=approved["recipients"]))
    grant_terms = {name: approved[name] for name in GRANT_TERMS}

    if grant_request.kind == "new":
        permission = permission_grant(
            actor=actor,
            agreement=grant_request.agreement,
            dataset=grant_request.dataset,
            recipients=recipients,
            at=at,
            **grant_terms,
        )
    else:
        # The agreement may have ended since the partner asked: a change would widen a grant of it.
        # (permission_grant checks this for a new grant.) Locked before the grant, as everywhere.
        refuse_ended_agreement(Agreement.objects.select_for_update().get(pk=grant_request.agreement_id))
        permission = DataUsePermission.objects.select_for_update().get(pk=grant_request.permission_id)
        if _grant_moved_since(grant_request, permission):
            raise ConflictError(
                _("The grant was changed after this request was filed; refuse it and ask for a new request."),
                code="grant_changed",
            )
        if not changed_fields(terms_of(permission), approved):
            raise ValidationError(
                {"non_field_errors": _("The approved scope is what is already granted; refuse the request instead.")}
            )
        permission = permission_change(
            actor=actor,
            permission=permission,
            reason=_("Grant request #%(id)d approved") % {"id": grant_request.pk},
            recipients=recipients,
            at=at,
            **grant_terms,
        )
    version = permission.versions.get(number=permission.version)
    grant_request.status = "approved"
    grant_request.decision = "narrowed" if narrowed else "full"
    grant_request.narrowed_fields = narrowed
    grant_request.decision_note = (note or "").strip()
    grant_request.decided_by = actor.user
    grant_request.decided_at = at
    grant_request.resulting_version = version
    if grant_request.permission_id is None:
        grant_request.permission = permission
    grant_request.save()
    _audit(
        actor,
        "approve",
        grant_request,
        before={"status": "pending"},
        after={
            "status": "approved",
            "decision": grant_request.decision,
            "narrowed_fields": narrowed,
            "note": grant_request.decision_note,
            "permission": permission.pk,
            "version": version.number,
            **approved,
        },
    )
    return grant_request


@transaction.atomic
def grant_request_refuse(
    *,
    actor: Actor,
    grant_request: GrantRequest,
    reason: str,
    explanation: str = "",
    at: datetime.datetime | None = None,
) -> GrantRequest:
    grant_request = _lock(grant_request)
    require_manager(actor, grant_request.agreement)
    _require_pending(grant_request)
    if reason not in RefusalReason.values:
        raise ValidationError(
            {"reason": _("Give one of the refusal reasons: %s") % ", ".join(RefusalReason.values)}
        )
    explanation = (explanation or "").strip()
    if reason == "other" and not explanation:
        raise ValidationError({"explanation": _("Explain the refusal when the reason is other.")})
    grant_request.status = "refused"
    grant_request.refusal_reason = reason
    grant_request.refusal_text = explanation
    grant_request.decided_by = actor.user
    grant_request.decided_at = at or timezone.now()
    grant_request.save()
    _audit(
        actor,
        "refuse",
        grant_request,
        before={"status": "pending"},
        after={"status": "refused", "reason": reason, "explanation": explanation},
    )
    return grant_request


@transaction.atomic
def grant_request_withdraw(
    *, actor: Actor, grant_request: GrantRequest, at: datetime.datetime | None = None
) -> GrantRequest:
    grant_request = _lock(grant_request)
    if not can_declare_for(actor, grant_request.agreement):
        raise PermissionDenied(_("Only the partner that asked may withdraw the request."))
    _require_pending(grant_request)
    grant_request.status = "withdrawn"
    grant_request.decided_at = at or timezone.now()
    grant_request.save(update_fields=["status", "decided_at"])
    _audit(actor, "withdraw", grant_request, before={"status": "pending"}, after={"status": "withdrawn"})
    return grant_request


def grant_request_claim_overdue(*, grant_request_id: int, at: datetime.datetime) -> bool:
    """Mark a still-pending request as alerted for waiting. The conditional UPDATE is the claim:
    of two runs of the overdue job, only one sees a row changed and raises the alert."""
    return bool(
        GrantRequest.objects.filter(pk=grant_request_id, status="pending", overdue_alerted_at__isnull=True).update(
            overdue_alerted_at=at
        )
    )
