"""Run the scope check and record its findings as alerts, in one transaction each.

Each function claims its work so that running it twice (a redelivered message, two
beats) does the work once: a pending declaration is locked and flipped to checked
in the same transaction that stores its alerts; the event scan holds the watermark
row lock while it counts and raises.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contracts.models import Agreement, UsageDeclaration
from contracts.scope.declarations import check_declaration
from contracts.scope.duties import missing_declarations, undeclared_usage
from contracts.scope.events import scan_events
from contracts.selectors.duties import declaration_duties
from notifications.services.alerts import alert_raise_finding
from partnerships.audit import audit_record_after_commit
from partnerships.publish import publish_now

CHECK_DECLARATION_TASK = "notifications.check_declaration"


def declaration_check(*, declaration_id: int) -> bool:
    """Check one pending declaration. False when it is already checked or another worker has it."""
    with transaction.atomic():
        declaration = (
            UsageDeclaration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agreement", "dataset")
            .filter(pk=declaration_id, status="pending")
            .first()
        )
        if declaration is None:
            return False
        findings = check_declaration(declaration)
        for finding in findings:
            alert_raise_finding(finding)
        declaration.status = "checked"
        declaration.violations = [f.as_dict() for f in findings]
        declaration.checked_at = timezone.now()
        declaration.save(update_fields=["status", "violations", "checked_at"])
        audit_record_after_commit(
            actor=None,
            action="declaration.check",
            obj=declaration,
            before={"status": "pending"},
            after={"status": "checked", "violations": [f["kind"] for f in declaration.violations]},
            organization=declaration.agreement.partner_id,
        )
        return True


def declarations_sweep(*, older_than_seconds: int | None = None, limit: int = 1000) -> list[int]:
    """Re-publish checks of declarations still pending (broker was down, worker lost)."""
    if older_than_seconds is None:
        older_than_seconds = settings.DECLARATION_SWEEP_AFTER_SECONDS
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        UsageDeclaration.objects.filter(status="pending", submitted_at__lte=cutoff)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        publish_now(CHECK_DECLARATION_TASK, pk)
    return ids


def usage_scan(*, settle_seconds: int | None = None) -> int:
    """Count new observed events and raise their alerts; returns the number of findings."""
    with transaction.atomic():
        findings = scan_events(settle_seconds=settle_seconds)
        for finding in findings:
            alert_raise_finding(finding)
    return len(findings)


def duties_check(*, today: datetime.date | None = None) -> int:
    """declaration_missing and undeclared_usage for every active agreement, one transaction per agreement."""
    today = today or timezone.localdate()
    count = 0
    for agreement in Agreement.objects.filter(status="active").select_related("government", "partner"):
        with transaction.atomic():
            duties = declaration_duties(agreement=agreement, today=today)
            findings = missing_declarations(agreement=agreement, today=today, duties=duties)
            findings += undeclared_usage(agreement=agreement, today=today, duties=duties)
            for finding in findings:
                alert_raise_finding(finding, seen_on=today)  # a second run the same day counts nothing again
            count += len(findings)
    return count
