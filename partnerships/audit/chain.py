"""Appending to the chain."""

from django.db import IntegrityError, connection, transaction
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


def _lock_tip() -> tuple[int, str]:
    """Take the chain's single lock and read the tip in one statement.

    An UPDATE rather than SELECT ... FOR UPDATE so that SQLite takes its write
    lock here, instead of failing later to upgrade a read lock; RETURNING saves
    the round trip of reading the row again.
    """
    table = connection.ops.quote_name(AuditChainTip._meta.db_table)
    sql = f"UPDATE {table} SET seq = seq WHERE id = %s RETURNING seq, hash"
    with connection.cursor() as cursor:
        cursor.execute(sql, [TIP_PK])
        row = cursor.fetchone()
        if row is not None:
            return row
    # No tip yet (a fresh or flushed database): start it from the last entry.
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    try:
        with transaction.atomic():
            AuditChainTip.objects.create(pk=TIP_PK, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)
    except IntegrityError:  # another writer created it first
        pass
    with connection.cursor() as cursor:
        cursor.execute(sql, [TIP_PK])
        return cursor.fetchone()


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
    with transaction.atomic(savepoint=False):  # a failed append fails the caller's whole change
        return _append(
            user=_actor_user(actor),
            action=action,
            obj=obj,
            before=before,
            after=after,
            organization=organization,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
        )


def audit_record_after_commit(**kwargs) -> None:
    """For system work that holds many row locks in one transaction (the scope check
    raising alerts): append once it commits, in a transaction of its own, so the chain's
    lock is never held across that work and cannot deadlock with a person's action.
    The row it describes is already its own record; a crash between the two loses
    only this copy."""
    transaction.on_commit(lambda: audit_record(**kwargs))


def _append(*, user, action, obj, before, after, organization, object_type, object_id, object_repr) -> AuditEntry:
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    tip_seq, tip_hash = _lock_tip()
    entry = AuditEntry(
        seq=tip_seq + 1,
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
        prev_hash=tip_hash,
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    AuditChainTip.objects.filter(pk=TIP_PK).update(seq=entry.seq, hash=entry.hash)
    return entry
