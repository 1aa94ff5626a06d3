"""The canonical JSON form of an entry, which its hash covers.

Canonical means: sorted keys, no spaces, UTF-8, times in UTC as
``YYYY-MM-DDTHH:MM:SS.ffffffZ``. Before/after values are normalised through
the same encoder before they are stored, so what is read back from either
database serialises to exactly the bytes that were hashed.
"""

import datetime
import decimal
import hashlib
import json
import uuid

GENESIS = "0" * 64


def utc_iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            return utc_iso(o) if o.tzinfo is not None else o.isoformat()
        if isinstance(o, (datetime.date, datetime.time)):
            return o.isoformat()
        if isinstance(o, (decimal.Decimal, uuid.UUID)):
            return str(o)
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=str)
        if isinstance(o, tuple):
            return list(o)
        if hasattr(o, "pk") and hasattr(o, "_meta"):  # a model instance: its id
            return o.pk
        if hasattr(o, "values_list"):  # a queryset: the ids
            return sorted(o.values_list("pk", flat=True))
        return super().default(o)


def to_json_value(value):
    """Plain JSON (dicts, lists, str, int, float, bool, None) for storing in a JSONField."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=AuditEncoder))


def canonical_json(payload: dict) -> str:
    return json.dumps(payload, cls=AuditEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_payload(entry) -> dict:
    """Every column of the row except its own hash."""
    return {
        "seq": entry.seq,
        "at": utc_iso(entry.at),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "organization_id": entry.organization_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry) -> str:
    return hashlib.sha256((entry.prev_hash + canonical_json(entry_payload(entry))).encode("utf-8")).hexdigest()
