"""Warnings 30, 7 and 0 days before a grant's validity or an agreement ends."""

import datetime

from django.db.models import Q
from django.utils import timezone

from contracts.models import Agreement, DataUsePermission
from notifications.services.alerts import alert_raise

THRESHOLDS = (0, 7, 30)  # days before the end
SEVERITY = {30: "info", 7: "warning", 0: "critical"}


def _threshold(days_left: int) -> int | None:
    for days in THRESHOLDS:
        if days_left <= days:
            return days
    return None


def expiry_warnings(*, today: datetime.date | None = None) -> int:
    """One alert per object and threshold (the dedup key holds both), so daily runs open nothing twice.

    Each day's run counts one more occurrence on a live warning; a second run the same day
    (a redelivered message) counts nothing (``seen_on``).
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(THRESHOLDS))
    raised = 0
    permissions = DataUsePermission.objects.filter(
        status="active", agreement__status="active", valid_until__isnull=False
    ).select_related("agreement", "dataset")
    for permission in permissions:
        ends = timezone.localtime(permission.valid_until).date()
        if not today <= ends <= horizon:
            continue
        days = _threshold((ends - today).days)
        agreement = permission.agreement
        _, created = alert_raise(
            kind="permission_expiring",
            dedup_key=f"permission_expiring:p{permission.pk}:{ends.isoformat()}:{days}d",
            summary=f"Grant for {permission.dataset.code} under {agreement.reference} ends on {ends.isoformat()}",
            severity=SEVERITY[days],
            agreement=agreement,
            permission=permission,
            permission_version=permission.version,
            dataset=permission.dataset,
            government_id=agreement.government_id,
            partner_id=agreement.partner_id,
            interval=f"{days}d",
            rule="Grants about to end are announced 30, 7 and 0 days before.",
            allowed={"valid_until": permission.valid_until.isoformat()},
            evidence={"days_left": (ends - today).days, "threshold_days": days},
            seen_on=today,
        )
        raised += created
    for agreement in Agreement.objects.filter(Q(status="active"), ends_on__gte=today, ends_on__lte=horizon):
        days = _threshold((agreement.ends_on - today).days)
        _, created = alert_raise(
            kind="agreement_expiring",
            dedup_key=f"agreement_expiring:a{agreement.pk}:{agreement.ends_on.isoformat()}:{days}d",
            summary=f"Agreement {agreement.reference} ends on {agreement.ends_on.isoformat()}",
            severity=SEVERITY[days],
            agreement=agreement,
            government_id=agreement.government_id,
            partner_id=agreement.partner_id,
            interval=f"{days}d",
            rule="Agreements about to end are announced 30, 7 and 0 days before.",
            allowed={"ends_on": agreement.ends_on.isoformat()},
            evidence={"days_left": (agreement.ends_on - today).days, "threshold_days": days},
            seen_on=today,
        )
        raised += created
    return raised
