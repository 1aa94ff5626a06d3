from celery import shared_task

from partnerships.audit.heads import audit_head_record


@shared_task(name="partnerships.record_audit_head")
def record_audit_head() -> int | None:
    """Daily: check the newest part of the audit chain and record its head."""
    head = audit_head_record()
    return head.seq if head else None
