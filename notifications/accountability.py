"""Accountability at T, with the alerts: a selector for a reader already allowed to see
the agreement. Contracts answers for the agreement; notifications adds what was alerted
and what people did about it (contracts may not import alerts)."""

import datetime

from contracts.models import Agreement
from contracts.selectors.accountability import accountability_at


def alerts_open_at(*, agreement: Agreement, at: datetime.datetime) -> list[dict]:
    """Alerts about the agreement that were open (or acknowledged) at ``at``.

    Filled in when the alerts app lands; until then there is nothing to report.
    """
    return []


def accountability_report(*, agreement: Agreement, at: datetime.datetime) -> dict:
    report = accountability_at(agreement=agreement, at=at)
    report["alerts"] = alerts_open_at(agreement=agreement, at=at)
    return report
