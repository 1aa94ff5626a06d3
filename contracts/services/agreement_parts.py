"""Writes to what hangs off an agreement: phases, milestones and obligations, documents."""

import datetime
import hashlib
import mimetypes
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import TRANSFER_MODELS, MilestoneKind, MilestoneStatus, PhaseKind
from contracts.models import Agreement, AgreementVersion, Document, Milestone, Phase
from contracts.services.common import refuse_larger_than, require_manager
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.models import Organization

# Read uploads in 1 MiB pieces: the hash is computed as the file streams past,
# never holding a whole contract scan in memory.
CHUNK_SIZE = 1024 * 1024

PHASE_DATES = ("planned_start", "planned_end", "actual_start", "actual_end")


def _check_order(errors: dict, start, end, end_field: str) -> None:
    if start and end and end < start:
        errors[end_field] = [_("The end date must not be before the start date.")]


@transaction.atomic
def phase_set(
    *,
    actor: Actor,
    agreement: Agreement,
    kind: str,
    planned_start: datetime.date | None = None,
    planned_end: datetime.date | None = None,
    actual_start: datetime.date | None = None,
    actual_end: datetime.date | None = None,
) -> tuple[Phase, bool]:
    """Record the planned and actual dates of one phase; returns (phase, created)."""
    require_manager(actor, agreement)
    errors = {}
    if kind not in PhaseKind.values:
        errors["kind"] = [_("Unknown phase.")]
    elif kind == PhaseKind.TRANSFER and agreement.model not in TRANSFER_MODELS:
        errors["kind"] = [_("Only BOT, BOOT, BTO, TOT and ROT agreements have a transfer phase.")]
    _check_order(errors, planned_start, planned_end, "planned_end")
    _check_order(errors, actual_start, actual_end, "actual_end")
    if actual_start and actual_start > timezone.localdate():
        errors["actual_start"] = [_("An actual date cannot be in the future.")]
    if actual_end and actual_end > timezone.localdate():
        errors["actual_end"] = [_("An actual date cannot be in the future.")]
    if actual_end and not actual_start:
        errors["actual_start"] = [_("A phase that ended must have started.")]
    if errors:
        raise ValidationError(errors)
    before = Phase.objects.filter(agreement=agreement, kind=kind).values(*PHASE_DATES).first()
    phase, created = Phase.objects.update_or_create(
        agreement=agreement,
        kind=kind,
        defaults=dict(
            planned_start=planned_start, planned_end=planned_end, actual_start=actual_start, actual_end=actual_end
        ),
    )
    audit_record(
        actor=actor,
        action="phase.set",
        obj=phase,
        before=before,
        after={"agreement": agreement.pk, "kind": kind, **{name: getattr(phase, name) for name in PHASE_DATES}},
        organization=agreement.government_id,
    )
    return phase, created


def _check_responsible(agreement: Agreement, responsible: Organization) -> None:
    if responsible.pk not in (agreement.government_id, agreement.partner_id):
        raise ValidationError({"responsible": _("The responsible party must be a party to this agreement.")})


@transaction.atomic
def milestone_add(
    *,
    actor: Actor,
    agreement: Agreement,
    title: str,
    due_on: datetime.date,
    responsible: Organization,
    kind: str = MilestoneKind.MILESTONE,
    description: str = "",
) -> Milestone:
    """A milestone (something delivered) or an obligation (a duty), owed by one party."""
    require_manager(actor, agreement)
    if kind not in MilestoneKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if not title or not title.strip():
        raise ValidationError({"title": _("A title is required.")})
    _check_responsible(agreement, responsible)
    milestone = Milestone.objects.create(
        agreement=agreement,
        kind=kind,
        title=title.strip(),
        description=description,
        due_on=due_on,
        responsible=responsible,
    )
    audit_record(
        actor=actor,
        action="milestone.add",
        obj=milestone,
        after={
            "agreement": agreement.pk,
            "kind": kind,
            "title": milestone.title,
            "due_on": due_on,
            "responsible": responsible.pk,
            "status": milestone.status,
        },
        organization=agreement.government_id,
    )
    return milestone


@transaction.atomic
def milestone_set_status(
    *, actor: Actor, milestone: Milestone, status: str, met_on: datetime.date | None = None
) -> Milestone:
    """Record whether a milestone was met; ``met_on`` defaults to today for met and partially met."""
    milestone = Milestone.objects.select_for_update().select_related("agreement").get(pk=milestone.pk)
    require_manager(actor, milestone.agreement)
    if status not in MilestoneStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    reached = status in (MilestoneStatus.MET, MilestoneStatus.PARTIALLY_MET)
    if not reached and met_on is not None:
        raise ValidationError({"met_on": _("Only a met or partially met milestone has a date it was met.")})
    if met_on is not None and met_on > timezone.localdate():
        raise ValidationError({"met_on": _("The date it was met cannot be in the future.")})
    before = {"status": milestone.status, "met_on": milestone.met_on}
    milestone.status = status
    milestone.met_on = (met_on or timezone.localdate()) if reached else None
    milestone.save(update_fields=["status", "met_on"])
    audit_record(
        actor=actor,
        action="milestone.set_status",
        obj=milestone,
        before=before,
        after={"status": milestone.status, "met_on": milestone.met_on},
        organization=milestone.agreement.government_id,
    )
    return milestone


# Files are stored as "<sha256>-<name>" (65 bytes before the name), and file systems allow
# 255 bytes per name, not characters: a Chinese character takes 3. 180 bytes leaves room
# for the prefix and for the "_" and 7 characters storage adds when the name is taken.
# Names were cut at 120 characters before; that stays, so Latin names keep their length.
MAX_NAME_BYTES = 180
MAX_NAME_CHARACTERS = 120
MAX_EXTENSION_BYTES = 16


def _cut_utf8(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters, never inside one."""
    return text.encode("utf-8", "ignore")[:limit].decode("utf-8", "ignore")


def short_file_name(name: str | None, *, default: str = "document") -> str:
    """A client's file name cut to fit the file system, its extension kept."""
    base, ext = os.path.splitext(name or default)
    ext = _cut_utf8(ext, MAX_EXTENSION_BYTES)
    base = _cut_utf8(base[: MAX_NAME_CHARACTERS - len(ext)], MAX_NAME_BYTES - len(ext.encode()))
    return (base or default) + ext


def _hash_and_size(uploaded) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded.chunks(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def document_attach(
    *,
    actor: Actor,
    agreement: Agreement,
    uploaded,
    title: str = "",
    document_type: str = "contractSigned",
    version_number: int | None = None,
) -> Document:
    """Store a signed contract, an amendment or a report, keeping its SHA-256 so anyone can
    later prove the file they hold is the one on record."""
    require_manager(actor, agreement)
    version = None
    if version_number is not None:
        version = AgreementVersion.objects.filter(agreement=agreement, number=version_number).first()
        if version is None:
            raise ValidationError({"version": _("This agreement has no version %(n)s.") % {"n": version_number}})
    refuse_larger_than(uploaded, settings.DOCUMENT_MAX_BYTES)
    sha256, size = _hash_and_size(uploaded)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    name = short_file_name(uploaded.name)
    content_type = (getattr(uploaded, "content_type", "") or mimetypes.guess_type(name)[0] or "")[:100]
    document = Document(
        agreement=agreement,
        version=version,
        title=(title or name)[:300],
        document_type=document_type,
        sha256=sha256,
        size=size,
        content_type=content_type,
        uploaded_by=actor.user,
    )
    # Saving the file after the fields are set: its storage path is derived from the hash.
    document.file.save(name, uploaded, save=False)
    document.save()
    audit_record(
        actor=actor,
        action="document.attach",
        obj=document,
        after={
            "agreement": agreement.pk,
            "version": version.number if version else None,
            "title": document.title,
            "document_type": document_type,
            "file": document.file.name,
            "sha256": sha256,
            "size": size,
        },
        organization=agreement.government_id,
    )
    return document
