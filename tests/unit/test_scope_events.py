"""The set-based scan over observed events: incremental, late events in their own interval."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import ScanWatermark, UsageBucket
from contracts.models.scan import AGREEMENT_ID_LIMIT, DATASET_ID_LIMIT, bucket_key
from contracts.scope.events import scan_events
from contracts.scope.periods import bucket_start
from contracts.services.permissions import permission_change, permission_set_status
from partnerships.actors import actor_for
from tests import factories as f
from tests.notifications.builders import events

pytestmark = pytest.mark.django_db


def scan():
    return scan_events(settle_seconds=0)


def by_kind(findings):
    return {(x.kind, x.interval): x for x in findings}


def month_label(at):
    return f"month:{bucket_start(timezone.localtime(at).date(), 'month').isoformat()}"


def test_events_within_the_grant_find_nothing_and_move_the_watermark(world):
    rows = events(world.agreement, world.dataset, n=5, record_count=10)
    assert scan() == []
    assert ScanWatermark.objects.get().last_event_id == rows[-1].pk
    bucket = UsageBucket.objects.get()
    assert (bucket.records, bucket.events, bucket.quota_count) == (50, 5, 10_000)
    assert scan() == []  # nothing new


def test_each_rule_broken_by_events_is_one_finding_per_bucket(world):
    stranger = f.organization("Data broker", "enterprise", "330100")
    events(world.agreement, world.dataset, n=2, action="sell")
    events(world.agreement, world.dataset, n=3, purpose="Marketing")
    events(world.agreement, world.dataset, n=1, recipient=stranger)
    events(world.agreement, world.personal_dataset, n=4)
    found = scan()
    assert sorted(x.kind for x in found) == [
        "action_not_permitted", "dataset_not_permitted", "purpose_not_permitted", "recipient_not_approved",
    ]  # fmt: skip
    kinds = {x.kind: x for x in found}
    assert kinds["action_not_permitted"].observed == {"events": 2, "new_events": 2}
    assert kinds["action_not_permitted"].allowed == ["aggregate", "read"]
    assert kinds["purpose_not_permitted"].observed["events"] == 3
    assert kinds["recipient_not_approved"].allowed == []
    assert kinds["dataset_not_permitted"].permission_id is None
    assert kinds["action_not_permitted"].permission_version == 1
    assert kinds["action_not_permitted"].evidence["events_in_interval"] == 6


def test_quota_over_running_totals_and_late_events_count_in_their_own_interval(world):
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Halfway between the month's start and now: in this month even minutes after midnight on the 1st.
    this_month = month_start + (now - month_start) / 2
    last_month = month_start - datetime.timedelta(days=3)
    events(world.agreement, world.dataset, n=1, record_count=9_000, at=last_month)
    events(world.agreement, world.dataset, n=1, record_count=9_000, at=this_month)
    assert scan() == []
    # A late event for last month arrives now: it is added to last month's bucket only.
    events(world.agreement, world.dataset, n=1, record_count=2_000, at=last_month)
    [finding] = scan()
    assert finding.kind == "quota_exceeded"
    assert finding.interval == month_label(last_month)
    assert (finding.allowed, finding.observed) == (10_000, 11_000)
    assert finding.evidence["events_in_interval"] == 2
    assert UsageBucket.objects.get(bucket_start=bucket_start(timezone.localtime(this_month).date(), "month")).records == 9_000


def traffic_grant(world, days_ago=30):
    traffic = f.dataset("TRAFFIC", world.bureau)
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return traffic, f.grant(world.officer, world.agreement, traffic, at=at)


def test_events_join_the_version_in_force_when_they_occurred(world):
    officer = actor_for(world.officer)
    traffic, permission = traffic_grant(world)
    t_change = timezone.now() - datetime.timedelta(days=2)
    permission_change(actor=officer, permission=permission, reason="Add modify", actions=["read", "modify"], at=t_change)
    events(world.agreement, traffic, n=1, action="modify", at=t_change - datetime.timedelta(hours=1))
    events(world.agreement, traffic, n=1, action="modify", at=t_change + datetime.timedelta(hours=1))
    [finding] = scan()
    assert finding.kind == "action_not_permitted"
    assert finding.observed == {"events": 1, "new_events": 1}


def test_use_while_suspended_and_outside_validity(world):
    officer = actor_for(world.officer)
    traffic, permission = traffic_grant(world)
    t_suspend = timezone.now() - datetime.timedelta(hours=10)
    permission_set_status(actor=officer, permission=permission, action="suspend", reason="Audit", at=t_suspend)
    events(world.agreement, traffic, n=2, at=t_suspend + datetime.timedelta(hours=1))
    events(world.agreement, traffic, n=1, at=timezone.now() - datetime.timedelta(days=400))
    # 400 days ago is before the grant's validity and before the agreement started.
    assert sorted(x.kind for x in scan()) == ["agreement_inactive", "outside_validity", "permission_inactive"]


def test_use_under_a_draft_agreement(world):
    draft = f.agreement(world.officer, world.bureau, world.partner_org, active=False)
    f.grant(world.officer, draft, world.dataset)
    events(draft, world.dataset, n=1)
    assert [x.kind for x in scan()] == ["agreement_inactive"]


def test_a_second_scan_counts_each_event_once(world):
    events(world.agreement, world.dataset, n=3, record_count=4_000)
    first = scan()
    assert [x.kind for x in first] == ["quota_exceeded"]
    assert scan() == []
    assert UsageBucket.objects.get().records == 12_000


def test_lost_totals_are_rebuilt_and_only_new_events_reported(world):
    # Unlogged on PostgreSQL: a crash empties the totals but not the watermark.
    events(world.agreement, world.dataset, n=3, record_count=4_000)
    assert [x.kind for x in scan()] == ["quota_exceeded"]
    UsageBucket.objects.all().delete()
    events(world.agreement, world.dataset, n=1, record_count=1)
    [finding] = scan()
    assert (finding.kind, finding.observed, finding.evidence["new_events"]) == ("quota_exceeded", 12_001, 1)
    assert UsageBucket.objects.get().events == 4


def test_lost_totals_do_not_report_again_what_was_reported(world):
    _, other = traffic_grant(world, days_ago=400)
    events(world.agreement, world.dataset, n=3, record_count=4_000)
    events(world.agreement, world.dataset, n=1, action="sell")
    assert sorted(x.kind for x in scan()) == ["action_not_permitted", "quota_exceeded"]
    UsageBucket.objects.all().delete()
    new = events(world.agreement, other.dataset, n=2, record_count=1)  # within its grant
    assert scan() == []
    totals = {b.dataset_id: (b.events, b.records, b.action_bad) for b in UsageBucket.objects.all()}
    assert totals == {world.dataset.pk: (4, 12_001, 1), other.dataset_id: (2, 2, 0)}
    assert ScanWatermark.objects.get().last_event_id == new[-1].pk


def test_use_without_a_grant_under_a_draft_agreement(world):
    draft = f.agreement(world.officer, world.bureau, world.partner_org, active=False)
    events(draft, world.dataset, n=2)
    found = scan()
    assert sorted(x.kind for x in found) == ["agreement_inactive", "dataset_not_permitted"]
    assert {x.observed["events"] for x in found} == {2}


def test_each_bucket_is_stored_under_the_key_its_parts_pack_into(world):
    _, permission = traffic_grant(world, days_ago=400)
    permission_change(actor=actor_for(world.officer), permission=permission, reason="Weekly", quota_interval="week")
    now = timezone.now()
    events(world.agreement, world.dataset, n=1, at=now - datetime.timedelta(days=40))
    events(world.agreement, world.dataset, n=1, at=now)
    events(world.agreement, permission.dataset, n=1, at=now)
    events(world.agreement, world.personal_dataset, n=1, at=now)  # no grant: a monthly bucket
    scan()
    stored = list(UsageBucket.objects.values_list("bucket_key", "agreement_id", "dataset_id", "interval", "bucket_start"))
    assert len(stored) == 4
    assert {row[3] for row in stored} == {"month", "week"}
    assert [key for key, *_ in stored] == [bucket_key(*parts) for _, *parts in stored]


def test_bucket_keys_keep_every_part_apart():
    day = datetime.date(2026, 11, 2)
    keys = {
        bucket_key(1, 2, "week", day),
        bucket_key(2, 2, "week", day),
        bucket_key(1, 3, "week", day),
        bucket_key(1, 2, "month", day),
        bucket_key(1, 2, "week", day + datetime.timedelta(days=7)),
        bucket_key(AGREEMENT_ID_LIMIT - 1, DATASET_ID_LIMIT - 1, "total", datetime.date(2617, 1, 1)),
        bucket_key(0, 0, "day", datetime.date(1900, 1, 1)),
    }
    assert len(keys) == 7
    assert max(keys) < 1 << 63  # a PostgreSQL bigint


@pytest.mark.parametrize("parts", [{"agreement_id": AGREEMENT_ID_LIMIT}, {"dataset_id": DATASET_ID_LIMIT}])
def test_an_id_too_large_for_the_key_is_refused_not_stored_in_another_bucket(parts):
    row = {"agreement_id": 1, "dataset_id": 1, "interval": "month", "bucket_start": datetime.date(2026, 11, 1)} | parts
    with pytest.raises(IntegrityError, match="usage_bucket_ids_fit_key"), transaction.atomic():
        UsageBucket.objects.create(bucket_key=1, **row)
    assert not UsageBucket.objects.exists()
