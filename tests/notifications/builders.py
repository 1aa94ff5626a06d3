"""Builders for declarations and events the scope tests need (rows as ingestion stores them)."""

import datetime
import itertools

from django.utils import timezone

from contracts.models import UsageDeclaration, UsageEvent

_seq = itertools.count(1)


def last_month() -> tuple[datetime.date, datetime.date]:
    first_this = timezone.localdate().replace(day=1)
    end = first_this - datetime.timedelta(days=1)
    return end.replace(day=1), end


def declaration(agreement, dataset, user, *, purpose="ImprovePublicServices", actions=("read",), record_count=100,
                recipients=(), period=None, supersedes=None) -> UsageDeclaration:  # fmt: skip
    start, end = period or last_month()
    d = UsageDeclaration.objects.create(
        agreement=agreement,
        dataset=dataset,
        period_start=start,
        period_end=end,
        purpose=purpose,
        actions=list(actions),
        record_count=record_count,
        submitted_by=user,
        supersedes=supersedes,
    )
    d.recipients.set(recipients)
    return d


def events(agreement, dataset, *, n=1, at=None, action="read", purpose="ImprovePublicServices", record_count=1,
           recipient=None, source="gateway") -> list[UsageEvent]:  # fmt: skip
    at = at or timezone.now() - datetime.timedelta(hours=1)
    rows = [
        UsageEvent(
            source=source,
            event_id=f"ev-{next(_seq)}",
            occurred_at=at,
            agreement_id=agreement.pk,
            dataset_id=dataset.pk,
            action=action,
            purpose=purpose,
            record_count=record_count,
            recipient_id=recipient.pk if recipient else None,
        )
        for _ in range(n)
    ]
    return UsageEvent.objects.bulk_create(rows)
