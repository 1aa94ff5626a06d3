"""When an agreement was active, from its recorded transitions and its term.

Status changes are rows (AgreementTransition), so "was the agreement active at T"
is answered from history, not from today's status. Agreements are often recorded
after they started: the first activation counts from ``starts_on``. Use after
``ends_on`` is outside the agreement whatever its status says.
"""

import datetime

from contracts.models import Agreement, AgreementTransition
from contracts.scope.findings import local_day_start


def active_ranges(agreement: Agreement) -> list[tuple[datetime.datetime, datetime.datetime]]:
    term_start = local_day_start(agreement.starts_on)
    term_end = local_day_start(agreement.ends_on + datetime.timedelta(days=1))
    ranges, start, first = [], None, True
    for to_status, at in AgreementTransition.objects.filter(agreement_id=agreement.pk).values_list("to_status", "at"):
        if to_status == "active" and start is None:
            start = min(at, term_start) if first else at
        elif to_status != "active" and start is not None:
            ranges.append((start, at))
            start = None
        first = False
    if start is not None:
        ranges.append((start, term_end))
    return [(max(lo, term_start), min(hi, term_end)) for lo, hi in ranges if min(hi, term_end) > max(lo, term_start)]


def active_throughout(agreement: Agreement, start: datetime.datetime, end: datetime.datetime) -> bool:
    """True when one active range covers [start, end)."""
    return any(lo <= start and hi >= end for lo, hi in active_ranges(agreement))


def statuses_during(agreement: Agreement, start: datetime.datetime, end: datetime.datetime) -> list[str]:
    """The statuses the agreement had during [start, end), in time order, the one in force at ``start``
    first. As in active_ranges, the first transition counts from ``starts_on`` at the latest."""
    term_start = local_day_start(agreement.starts_on)
    rows = AgreementTransition.objects.filter(agreement_id=agreement.pk).values_list("from_status", "to_status", "at")
    rows = list(rows)  # in time order (the model's ordering: at, id)
    if not rows:
        return [agreement.status]
    statuses = [rows[0][0]]  # before its first transition
    for i, (_, to_status, at) in enumerate(rows):
        at = min(at, term_start) if i == 0 else at
        if at >= end:
            break
        if at <= start:
            statuses = [to_status]
        elif to_status != statuses[-1]:
            statuses.append(to_status)
    return statuses
