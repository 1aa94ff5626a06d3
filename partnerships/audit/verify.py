"""Walking the chain: the first entry that is missing, altered or out of place.

The walk reads the recorded heads and the tip before the entries: anything
they name was committed before the entries are read, so a write racing the
walk can never look like a truncated tail.
"""

from dataclasses import dataclass

from partnerships.audit.canonical import GENESIS, entry_hash
from partnerships.models import AuditChainTip, AuditEntry, AuditHead

CHUNK = 2000  # rows per round trip; an entry is well under 1 kB


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str

    def __str__(self):
        return f"audit entry seq={self.seq} (id {self.seq}): {self.reason}"


@dataclass(frozen=True)
class Report:
    checked: int
    last_seq: int
    last_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(*, since: tuple[int, str] | None = None) -> Report:
    """Check the whole chain, or (``since`` = a recorded head's seq and hash) the part after it.

    A full check starts from the genesis; the daily job starts from the last
    recorded head, whose own entry is checked against it first.
    """
    start_seq, prev_hash = since or (0, GENESIS)
    heads = list(AuditHead.objects.filter(seq__gt=start_seq).order_by("seq").values_list("seq", "hash", "recorded_at"))
    tip = AuditChainTip.objects.filter(pk=1).values_list("seq", flat=True).first()

    def report(broken, checked=0, last_seq=start_seq, last_hash=prev_hash):
        return Report(checked=checked, last_seq=last_seq, last_hash=last_hash, broken=broken)

    if start_seq:
        anchor = AuditEntry.objects.filter(seq=start_seq).first()
        if anchor is None:
            return report(Break(start_seq, "is missing (deleted): a recorded head names it"))
        if anchor.hash != prev_hash or entry_hash(anchor) != prev_hash:
            return report(Break(start_seq, "differs from the head recorded for it: the chain was altered"))

    head_hashes = {seq: (hash_, recorded_at) for seq, hash_, recorded_at in heads}
    expected_seq, checked = start_seq + 1, 0
    entries = AuditEntry.objects.filter(seq__gt=start_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=CHUNK):
        if entry.seq != expected_seq:
            gap = str(expected_seq) if entry.seq == expected_seq + 1 else f"{expected_seq}..{entry.seq - 1}"
            return report(
                Break(expected_seq, f"is missing (deleted): seq {gap} absent before seq {entry.seq}"),
                checked, expected_seq - 1, prev_hash,
            )
        if entry.prev_hash != prev_hash:
            return report(
                Break(entry.seq, "does not link to the entry before it (prev_hash differs): an entry was altered or removed"),
                checked, expected_seq - 1, prev_hash,
            )
        if entry_hash(entry) != entry.hash:
            return report(
                Break(entry.seq, "was altered: its content does not match its hash"), checked, expected_seq - 1, prev_hash
            )
        if entry.seq in head_hashes and head_hashes[entry.seq][0] != entry.hash:
            recorded_at = head_hashes[entry.seq][1]
            return report(
                Break(entry.seq, f"differs from the head recorded at {recorded_at.isoformat()}: the chain was rewritten"),
                checked, expected_seq - 1, prev_hash,
            )
        prev_hash, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    last_seq = expected_seq - 1

    # Nothing after the last entry: a head or the tip that saw more means the tail was cut.
    beyond = [(seq, recorded_at) for seq, _, recorded_at in heads if seq > last_seq]
    if beyond:
        seq, recorded_at = beyond[-1]
        return report(
            Break(
                last_seq + 1,
                f"is missing: the chain ends at seq {last_seq} but the head recorded at {recorded_at.isoformat()} "
                f"saw seq {seq}; seq {last_seq + 1}..{seq} were removed (truncated tail)",
            ),
            checked, last_seq, prev_hash,
        )
    if tip is not None and tip > last_seq:
        return report(
            Break(last_seq + 1, f"is missing: the chain ends at seq {last_seq} but its tip says {tip} (truncated tail)"),
            checked, last_seq, prev_hash,
        )
    return report(None, checked, last_seq, prev_hash)
