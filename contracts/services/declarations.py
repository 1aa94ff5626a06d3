"""Writes of usage declarations: what a partner says it used.

Declarations are evidence, so they are append-only: a well-formed declaration
is stored even when it is out of scope (the scope check flags it afterwards),
and a correction is a new declaration that supersedes the old one, which stays.
"""

import datetime
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import Action, Purpose
from contracts.models import Agreement, Dataset, DeclarationIdempotencyKey, UsageDeclaration
from contracts.selectors.agreements import can_declare_for
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.publish import publish_on_commit

CHECK_TASK = "notifications.check_declaration"
EARLIEST_PERIOD = datetime.date(1900, 1, 1)
MAX_BIGINT = 2**63 - 1


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request (answered 422)."""


def request_fingerprint(data) -> str:
    """A stable hash of a parsed request body, to tell a replay from a different request."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _latest_period_day(today: datetime.date) -> datetime.date:
    # A declaration reports use that happened; a period may run to the end of the
    # current year at most (a yearly declaration filed early), never further.
    return datetime.date(today.year, 12, 31)


def check_declaration_terms(
    *, period_start: datetime.date, period_end: datetime.date, purpose: str, actions, record_count: int
) -> None:
    """Field-level checks that hold whatever the grant says (the scope check judges the rest)."""
    errors = {}
    latest = _latest_period_day(timezone.localdate())
    if period_start < EARLIEST_PERIOD:
        errors["period_start"] = _("Periods before 1900 are not accepted.")
    elif period_start > latest:
        errors["period_start"] = _("The period must not start after the end of this year.")
    if period_end < EARLIEST_PERIOD:
        errors["period_end"] = _("Periods before 1900 are not accepted.")
    elif period_end > latest:
        errors["period_end"] = _("The period must not end after the end of this year.")
    if "period_end" not in errors and "period_start" not in errors and period_end < period_start:
        errors["period_end"] = _("The period must not end before it starts.")
    if purpose not in Purpose.values:
        errors["purpose"] = _("Unknown purpose.")
    if not actions or not isinstance(actions, (list, tuple)):
        errors["actions"] = _("Name at least one action.")
    elif bad := sorted(set(map(str, actions)) - set(Action.values)):
        errors["actions"] = _("Unknown ODRL actions: %s") % ", ".join(bad)
    if type(record_count) is not int or not 0 <= record_count <= MAX_BIGINT:
        errors["record_count"] = _("Give a whole number from 0 to 9223372036854775807.")
    if errors:
        raise ValidationError(errors)


def _check_supersedes(agreement: Agreement, supersedes: UsageDeclaration | None) -> None:
    if supersedes is None:
        return
    if supersedes.agreement_id != agreement.pk:
        raise ValidationError({"supersedes": _("A correction must be for the same agreement.")})
    if UsageDeclaration.objects.filter(supersedes=supersedes).exists():
        raise ConflictError(_("That declaration was already corrected; correct the latest one."), code="superseded")


@transaction.atomic
def declaration_submit(
    *,
    actor: Actor,
    agreement: Agreement,
    dataset: Dataset,
    period_start: datetime.date,
    period_end: datetime.date,
    purpose: str,
    actions: list[str],
    record_count: int,
    recipients: list[Organization] = (),
    note: str = "",
    supersedes: UsageDeclaration | None = None,
) -> UsageDeclaration:
    """Store a declaration as ``pending`` and ask for its scope check once it commits."""
    if not can_declare_for(actor, agreement):
        raise PermissionDenied(_("Only the partner of this agreement may declare usage under it."))
    actions = list(dict.fromkeys(actions)) if isinstance(actions, (list, tuple)) else actions
    check_declaration_terms(
        period_start=period_start, period_end=period_end, purpose=purpose, actions=actions, record_count=record_count
    )
    _check_supersedes(agreement, supersedes)
    declaration = UsageDeclaration.objects.create(
        agreement=agreement,
        dataset=dataset,
        period_start=period_start,
        period_end=period_end,
        purpose=purpose,
        actions=actions,
        record_count=record_count,
        note=note,
        supersedes=supersedes,
        submitted_by=actor.user,
        status="pending",
    )
    if recipients:
        declaration.recipients.set(recipients)
    audit_record(
        actor=actor,
        action="declaration.correct" if supersedes is not None else "declaration.submit",
        obj=declaration,
        before={"declaration": supersedes.pk, "record_count": supersedes.record_count} if supersedes is not None else None,
        after={
            "agreement": agreement.pk,
            "dataset": dataset.code,
            "period_start": period_start,
            "period_end": period_end,
            "purpose": purpose,
            "actions": actions,
            "record_count": record_count,
            "recipients": sorted({org.pk for org in recipients}),  # named twice (id and credit code), stored once
            "note": note,
            "supersedes": supersedes.pk if supersedes is not None else None,
        },
        # The agreement's jurisdiction, as for every write under an agreement: the partner's
        # province may be another, whose auditors must not read of this agreement.
        organization=agreement.government_id,
    )
    publish_on_commit(CHECK_TASK, declaration.pk)
    return declaration


def declaration_submit_once(*, actor: Actor, idempotency_key: str, fingerprint: str, **terms) -> tuple[UsageDeclaration, bool]:
    """``declaration_submit`` guarded by an Idempotency-Key; returns (declaration, replayed).

    The key row is inserted in the same transaction as the declaration, and its
    unique constraint (partner, key) decides the race: of twenty concurrent
    identical requests one commits, the others fail on the constraint, roll
    their declaration back and replay the winner's.
    """
    agreement = terms["agreement"]
    partner_id = agreement.partner_id
    replay = _replay(partner_id, idempotency_key, fingerprint)
    if replay is not None:
        return replay, True
    try:
        with transaction.atomic():
            declaration = declaration_submit(actor=actor, **terms)
            DeclarationIdempotencyKey.objects.create(
                partner_id=partner_id, key=idempotency_key, request_hash=fingerprint, declaration=declaration
            )
    except IntegrityError:
        replay = _replay(partner_id, idempotency_key, fingerprint)
        if replay is None:
            raise
        return replay, True
    return declaration, False


def _replay(partner_id: int, key: str, fingerprint: str) -> UsageDeclaration | None:
    stored = (
        DeclarationIdempotencyKey.objects.filter(partner_id=partner_id, key=key).select_related("declaration").first()
    )
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return stored.declaration


class DeclarationRowsRefused(Exception):
    """Some rows of a batch were refused; nothing of the batch was stored."""

    def __init__(self, rejected: list[dict]):
        super().__init__(f"{len(rejected)} rows refused")
        self.rejected = rejected


def _row_errors(exc: Exception) -> dict:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in exc.message_dict.items()}
    if isinstance(exc, ValidationError):
        return {"non_field_errors": [str(m) for m in exc.messages]}
    return {"non_field_errors": [getattr(exc, "message", None) or str(exc)]}


@transaction.atomic
def declarations_submit_many(*, actor: Actor, rows: list[tuple[int, dict]]) -> list[UsageDeclaration]:
    """Store a batch of declarations (a CSV upload), all or none.

    ``rows`` are (line number, terms) pairs. All or none, because a partner fixes
    and resends a refused file whole: a partial store would then be declared twice.
    """
    created, rejected = [], []
    for line, terms in rows:
        try:
            with transaction.atomic():
                created.append(declaration_submit(actor=actor, **terms))
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            rejected.append({"line": line, "errors": _row_errors(exc)})
    if rejected:
        raise DeclarationRowsRefused(rejected)
    return created
