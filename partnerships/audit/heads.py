"""Recording the chain head, so that cutting the tail of the chain is caught."""

import logging

from django.db import transaction
from django.utils import timezone

from partnerships.audit.verify import verify_chain
from partnerships.models import AuditHead

log = logging.getLogger(__name__)


@transaction.atomic
def audit_head_record() -> AuditHead | None:
    """Check the entries added since the last head, then record the new head.

    A broken chain is not anchored (that would bless the damage): it is logged
    as an error and nothing is recorded. Recording twice with no new entries
    keeps one head, so the daily job may run again safely.
    """
    last = AuditHead.objects.order_by("-seq", "-id").first()
    report = verify_chain(since=(last.seq, last.hash) if last else None)
    if not report.ok:
        log.error("audit chain broken, head not recorded: %s", report.broken)
        return None
    if report.last_seq == 0 or (last is not None and last.seq == report.last_seq):
        return last
    head = AuditHead.objects.create(seq=report.last_seq, hash=report.last_hash, recorded_at=timezone.now())
    # Also in the log, which lives outside the database: a copy an attacker with
    # database access alone cannot rewrite.
    log.info("audit chain head recorded: seq=%s hash=%s", head.seq, head.hash)
    return head
