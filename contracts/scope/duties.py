"""Findings from declaration duties: declarations missing, and use observed beyond what was declared."""

import datetime

from django.conf import settings
from django.db.models import Sum

from contracts.codes import Area
from contracts.codes import ViolationKind as V
from contracts.models import Agreement, DataUsePermission, UsageDeclaration, UsageEvent
from contracts.scope.findings import Finding, attach_accountability, local_day_start
from contracts.selectors.duties import declaration_duties

# A missing declaration is a reporting duty not met; it touches compliance reporting.
DUTY_AREAS = (Area.COMPLIANCE_REPORTING.value,)
# How many ended periods back undeclared use is compared (older periods were compared before).
UNDECLARED_LOOKBACK = 3


def _duties(agreement, today):
    return declaration_duties(agreement=agreement, today=today)


def _period(duty) -> str:
    return f"{duty.period_start.isoformat()}/{duty.period_end.isoformat()}"


def missing_declarations(*, agreement: Agreement, today: datetime.date, duties=None) -> list[Finding]:
    findings = []
    for duty in _duties(agreement, today) if duties is None else duties:
        if duty.status != "missing":
            continue
        findings.append(
            Finding(
                kind=V.DECLARATION_MISSING,
                agreement_id=agreement.pk,
                dataset_id=duty.dataset_id,
                permission_id=duty.permission_id,
                interval=_period(duty),
                rule="A declaration is submitted for each period by its due date.",
                allowed={"due_on": duty.due_on.isoformat()},
                observed={"declarations": 0},
                evidence={"period": _period(duty), "due_on": duty.due_on.isoformat(), "dataset": duty.dataset_code},
            )
        )
    attach_accountability(
        findings, agreement=agreement, personal_info="none", at=local_day_start(today), areas=DUTY_AREAS
    )
    return findings


def undeclared_usage(
    *, agreement: Agreement, today: datetime.date, tolerance_percent: int | None = None, duties=None
) -> list[Finding]:
    """Observed records per ended declaration period above declared records plus the tolerance."""
    if tolerance_percent is None:
        tolerance_percent = settings.UNDECLARED_USAGE_TOLERANCE
    duties = _duties(agreement, today) if duties is None else duties
    ended = [d for d in duties if d.period_end < today]
    ended.sort(key=lambda d: d.period_end)
    by_permission: dict = {}
    for duty in ended:
        by_permission.setdefault(duty.permission_id, []).append(duty)
    datasets = dict(DataUsePermission.objects.filter(agreement=agreement).values_list("pk", "dataset__personal_info"))
    findings = []
    for permission_id, duties in by_permission.items():
        for duty in duties[-UNDECLARED_LOOKBACK:]:
            start = local_day_start(duty.period_start)
            end = local_day_start(duty.period_end + datetime.timedelta(days=1))
            # One indexed range aggregate per period (agreement, dataset, occurred_at).
            observed = UsageEvent.objects.filter(
                agreement_id=agreement.pk, dataset_id=duty.dataset_id, occurred_at__gte=start, occurred_at__lt=end
            ).aggregate(total=Sum("record_count"))["total"] or 0
            live = UsageDeclaration.objects.filter(
                agreement_id=agreement.pk,
                dataset_id=duty.dataset_id,
                superseded_by__isnull=True,
                period_start__gte=duty.period_start,
                period_end__lte=duty.period_end,
            )
            declared = live.aggregate(total=Sum("record_count"))["total"] or 0
            allowed = declared + declared * tolerance_percent // 100
            if observed <= allowed:
                continue
            found = Finding(
                kind=V.UNDECLARED_USAGE,
                agreement_id=agreement.pk,
                dataset_id=duty.dataset_id,
                permission_id=permission_id,
                interval=_period(duty),
                rule=f"Observed records in a period stay within declared records plus {tolerance_percent}%.",
                allowed=allowed,
                observed=observed,
                evidence={
                    "period": _period(duty),
                    "declared_records": declared,
                    "observed_records": observed,
                    "tolerance_percent": tolerance_percent,
                    "declaration_ids": sorted(live.values_list("pk", flat=True)),
                },
            )
            attach_accountability(
                [found], agreement=agreement, personal_info=datasets.get(permission_id, "none"), at=min(end, local_day_start(today))
            )
            findings.append(found)
    return findings
