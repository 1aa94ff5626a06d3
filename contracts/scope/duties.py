"""Findings from declaration duties: declarations missing, and use observed beyond what was declared."""

import datetime

from django.conf import settings
from django.db.models import Sum

from contracts.codes import Area
from contracts.codes import ViolationKind as V
from contracts.models import Agreement, DataUsePermission, UsageDeclaration, UsageEvent
from contracts.scope.findings import AccountableIndex, Finding, attach_accountability, local_day_end, local_day_start
from contracts.selectors.duties import DUE, MISSING, Duty, declaration_duties

# A missing declaration is a reporting duty not met; it touches compliance reporting.
DUTY_AREAS = (Area.COMPLIANCE_REPORTING.value,)
# How many periods back undeclared use is compared (older periods were compared before).
UNDECLARED_LOOKBACK = 3


def _duties(agreement, today):
    return declaration_duties(agreement=agreement, today=today)


def _period(duty) -> str:
    return f"{duty.period_start.isoformat()}/{duty.period_end.isoformat()}"


def missing_declarations(*, agreement: Agreement, today: datetime.date, duties=None) -> list[Finding]:
    missing = [d for d in (_duties(agreement, today) if duties is None else duties) if d.status == MISSING]
    if not missing:
        return []
    index = AccountableIndex({agreement.pk})  # one query for the assignments, however many periods are missing
    findings = []
    for duty in missing:
        found = Finding(
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
        # Whoever answered for reporting when the declaration fell due, not whoever does today.
        attach_accountability(
            [found], agreement=agreement, personal_info="none", at=local_day_end(duty.due_on), areas=DUTY_AREAS, index=index
        )
        findings.append(found)
    return findings


def _declared_share(declaration: tuple, duty: Duty) -> int:
    """A declaration's records within the duty's period: prorated by days when it reaches beyond
    the period, rounded up (in the partner's favour)."""
    start, end, records = declaration
    days = (end - start).days + 1
    inside = (min(end, duty.period_end) - max(start, duty.period_start)).days + 1
    return -(-records * inside // days)


def undeclared_usage(
    *, agreement: Agreement, today: datetime.date, tolerance_percent: int | None = None, duties=None
) -> list[Finding]:
    """Observed records per ended declaration period above declared records plus the tolerance.

    A period is compared once its declaration is no longer due (received, late or missing):
    until then the partner may still declare it. The declarations counted are the duty's own.
    """
    if tolerance_percent is None:
        tolerance_percent = settings.UNDECLARED_USAGE_TOLERANCE
    duties = _duties(agreement, today) if duties is None else duties
    ended = [d for d in duties if d.period_end < today and d.status != DUE]
    ended.sort(key=lambda d: d.period_end)
    by_permission: dict = {}
    for duty in ended:
        by_permission.setdefault(duty.permission_id, []).append(duty)
    compared = [duty for periods in by_permission.values() for duty in periods[-UNDECLARED_LOOKBACK:]]
    declarations = {
        pk: row
        for pk, *row in UsageDeclaration.objects.filter(
            pk__in={pk for duty in compared for pk in duty.declaration_ids}
        ).values_list("pk", "period_start", "period_end", "record_count")
    }
    datasets = dict(DataUsePermission.objects.filter(agreement=agreement).values_list("pk", "dataset__personal_info"))
    findings = []
    for duty in compared:
        start = local_day_start(duty.period_start)
        end = local_day_start(duty.period_end + datetime.timedelta(days=1))
        # One indexed range aggregate per period (agreement, dataset, occurred_at).
        observed = UsageEvent.objects.filter(
            agreement_id=agreement.pk, dataset_id=duty.dataset_id, occurred_at__gte=start, occurred_at__lt=end
        ).aggregate(total=Sum("record_count"))["total"] or 0
        counted = sorted(pk for pk in duty.declaration_ids if pk in declarations)
        declared = sum(_declared_share(declarations[pk], duty) for pk in counted)
        allowed = declared + declared * tolerance_percent // 100
        if observed <= allowed:
            continue
        found = Finding(
            kind=V.UNDECLARED_USAGE,
            agreement_id=agreement.pk,
            dataset_id=duty.dataset_id,
            permission_id=duty.permission_id,
            interval=_period(duty),
            rule=(
                f"Observed records in a period stay within declared records plus {tolerance_percent}% "
                "(a declaration reaching beyond the period counts by its days in it)."
            ),
            allowed=allowed,
            observed=observed,
            evidence={
                "period": _period(duty),
                "declared_records": declared,
                "observed_records": observed,
                "tolerance_percent": tolerance_percent,
                "declaration_ids": counted,
            },
        )
        # Whoever answered during the period, not whoever took over on the day after it.
        attach_accountability(
            [found], agreement=agreement, personal_info=datasets.get(duty.permission_id, "none"), at=local_day_end(duty.period_end)
        )
        findings.append(found)
    return findings
