"""Appending to the chain."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from partnerships.audit.canonical import GENESIS, entry_hash, to_json_value
from partnerships.audit.context import current_request_id
from partnerships.models import AuditChainTip, AuditEntry

# Object types in the users' words; anything else is named by its model.
OBJECT_TYPES = {
    "contracts.agreement": "agreement",
    "contracts.agreementversion": "amendment",
    "contracts.datausepermission": "grant",
    "contracts.responsibilityassignment": "responsibility",
    "contracts.usagedeclaration": "declaration",
    "contracts.dataset": "dataset",
    "contracts.milestone": "milestone",
    "contracts.phase": "phase",
    "contracts.document": "document",
    "notifications.alert": "alert",
    "notifications.silence": "silence",
    "notifications.channel": "channel",
    "partnerships.organization": "organization",
    "partnerships.membership": "membership",
    "partnerships.partnership": "partnership",
    "auth.user": "user",
}
TIP_PK = 1


def object_type_of(obj) -> str:
    label = obj._meta.label_lower
    return OBJECT_TYPES.get(label, label)


def _actor_user(actor):
    """Accept an Actor, a user, or None (the system)."""
    user = getattr(actor, "user", actor)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _lock_tip() -> AuditChainTip:
    """Take the chain's single lock: UPDATE before SELECT, so SQLite takes its write
    lock here rather than failing to upgrade a read lock later."""
    if AuditChainTip.objects.filter(pk=TIP_PK).update(seq=F("seq")):
        return AuditChainTip.objects.get(pk=TIP_PK)
    # No tip yet (a fresh or flushed database): start it from the last entry.
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    try:
        with transaction.atomic():
            AuditChainTip.objects.create(pk=TIP_PK, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)
    except IntegrityError:  # another writer created it first
        pass
    AuditChainTip.objects.filter(pk=TIP_PK).update(seq=F("seq"))
    return AuditChainTip.objects.get(pk=TIP_PK)


@transaction.atomic
def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    organization=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry inside the caller's transaction.

    Call it last in a service: it holds the chain's lock until the caller commits,
    and taking it last keeps the lock order (the service's rows, then the chain)
    the same everywhere, so appends never deadlock.
    """
    user = _actor_user(actor)
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    tip = _lock_tip()
    entry = AuditEntry(
        seq=tip.seq + 1,
        at=timezone.now(),
        actor_id=user.pk if user else None,
        actor_username=user.get_username() if user else "",
        organization_id=getattr(organization, "pk", organization),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:300],
        before=to_json_value(before),
        after=to_json_value(after),
        request_id=current_request_id()[:64],
        prev_hash=tip.hash,
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    AuditChainTip.objects.filter(pk=TIP_PK).update(seq=entry.seq, hash=entry.hash)
    return entry
