"""Edges of the scope check: the agreement's term, day boundaries, and whom a finding names."""

import datetime

import pytest
from django.utils import timezone

from contracts.scope.declarations import check_declaration
from contracts.scope.duties import missing_declarations, undeclared_usage
from contracts.scope.events import scan_events
from contracts.scope.findings import local_day_start
from contracts.selectors.duties import declaration_duties
from contracts.services.agreements import agreement_transition
from contracts.services.permissions import permission_change, permission_set_status
from partnerships.actors import actor_for
from tests import factories as f
from tests.notifications.builders import declaration, events, last_month

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
SEPTEMBER = "2026-09-01/2026-09-30"


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def traffic(world):
    """A monthly grant from 1 September 2026; declarations due 10 days after each month."""
    dataset = f.dataset("TRAFFIC", world.bureau)
    f.grant(world.officer, world.agreement, dataset, valid_from=local(2026, 9, 1), valid_until=local(2027, 9, 1))
    return dataset


def of(findings, dataset):
    return [x for x in findings if x.dataset_id == dataset.pk]


def duties_of(world, dataset, today):
    return [d for d in declaration_duties(agreement=world.agreement, today=today) if d.dataset_id == dataset.pk]


def handover(world, area, at):
    """``area`` answered for by one organization until ``at`` and by another from then on."""
    old = f.organization("Old contractor", "enterprise", "330100")
    new = f.organization("New contractor", "enterprise", "330100")
    f.assign(world.officer, world.agreement, area, old, valid_from=local(2025, 1, 1), valid_to=at)
    f.assign(world.officer, world.agreement, area, new, valid_from=at)
    return old, new


def test_use_before_the_term_starts_is_inactive_though_the_agreement_was_activated_early(world):
    now = timezone.now()
    early = f.agreement(
        world.officer, world.bureau, world.partner_org, active=False, starts_on=timezone.localdate() + 30 * DAY
    )
    agreement_transition(
        actor=actor_for(world.officer), agreement=early, action="activate", reason="Signed", at=now - 10 * DAY
    )
    f.grant(world.officer, early, world.dataset)
    events(early, world.dataset, n=1, at=now - DAY)
    assert [x.kind for x in scan_events(settle_seconds=0)] == ["agreement_inactive"]


def test_an_event_finding_names_the_party_accountable_during_its_month_not_after(world):
    start, end = last_month()
    old, _ = handover(world, "data_security", local_day_start(end + DAY))
    events(world.agreement, world.dataset, n=1, action="sell", at=local_day_start(start) + 3 * DAY)
    [finding] = scan_events(settle_seconds=0)
    assert finding.kind == "action_not_permitted"
    assert (finding.accountable_party_id, finding.area) == (old.pk, "data_security")


def test_undeclared_usage_names_the_party_accountable_during_the_period_not_after(world, traffic):
    old, _ = handover(world, "data_security", local(2026, 10, 1))
    events(world.agreement, traffic, n=1, record_count=500, at=local(2026, 9, 15, 12))
    [finding] = of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic)
    assert (finding.kind, finding.interval) == ("undeclared_usage", SEPTEMBER)
    assert finding.accountable_party_id == old.pk


def test_undeclared_usage_waits_until_the_declaration_is_due(world, traffic):
    events(world.agreement, traffic, n=1, record_count=500, at=local(2026, 9, 15, 12))
    # 2 October: September's declaration is due on 10 October; nothing to compare yet.
    assert [d.status for d in duties_of(world, traffic, D(2026, 10, 2))] == ["due", "due"]
    assert of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 2)), traffic) == []
    [finding] = of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic)
    assert (finding.interval, finding.allowed, finding.observed) == (SEPTEMBER, 0, 500)


def test_a_declaration_over_several_periods_counts_its_share_of_each(world, traffic, settings):
    settings.UNDECLARED_USAGE_TOLERANCE = 10
    quarter = declaration(
        world.agreement, traffic, world.partner, period=(D(2026, 9, 1), D(2026, 11, 30)), record_count=3_000
    )
    events(world.agreement, traffic, n=5, record_count=100, at=local(2026, 9, 15, 12))
    # September holds 30 of the declaration's 91 days: 3,000 * 30 / 91 = 989.01, rounded up to 990.
    assert of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic) == []
    events(world.agreement, traffic, n=6, record_count=100, at=local(2026, 9, 16, 12))  # 1,100 > 990 + 99
    [finding] = of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic)
    assert (finding.interval, finding.allowed, finding.observed) == (SEPTEMBER, 1_089, 1_100)
    assert finding.evidence["declared_records"] == 990
    assert finding.evidence["declaration_ids"] == [quarter.pk]


def test_a_grant_revoked_at_midnight_asks_nothing_for_the_next_month(world):
    dataset = f.dataset("TRAFFIC", world.bureau)
    permission = f.grant(
        world.officer,
        world.agreement,
        dataset,
        valid_from=local(2026, 9, 1),
        valid_until=local(2027, 9, 1),
        at=local(2026, 9, 1),
    )
    permission_set_status(
        actor=actor_for(world.officer), permission=permission, action="revoke", reason="Ended", at=local(2026, 10, 1)
    )
    duties = duties_of(world, dataset, D(2026, 11, 20))
    assert [(d.period_start, d.period_end) for d in duties] == [(D(2026, 9, 1), D(2026, 9, 30))]
    missing = of(missing_declarations(agreement=world.agreement, today=D(2026, 11, 20)), dataset)
    assert [x.interval for x in missing] == [SEPTEMBER]


def test_a_declaration_from_the_day_a_grant_starts_midday_is_within_its_validity(world):
    dataset = f.dataset("TRAFFIC", world.bureau)
    f.grant(
        world.officer, world.agreement, dataset, valid_from=local(2026, 9, 15, 9, 30), valid_until=local(2027, 9, 1)
    )
    from_that_day = declaration(world.agreement, dataset, world.partner, period=(D(2026, 9, 15), D(2026, 9, 30)))
    assert check_declaration(from_that_day) == []
    day_before = declaration(world.agreement, dataset, world.partner, period=(D(2026, 9, 14), D(2026, 9, 30)))
    [finding] = check_declaration(day_before)
    assert finding.kind == "outside_validity"
    assert finding.observed == {"period": "2026-09-14/2026-09-30"}


def test_a_missing_declaration_names_the_party_accountable_when_it_was_due(world, traffic):
    old, _ = handover(world, "compliance_reporting", local(2026, 11, 1))
    # 5 November: September (due 10 October) is missing; October is not due until 10 November.
    [finding] = of(missing_declarations(agreement=world.agreement, today=D(2026, 11, 5)), traffic)
    assert (finding.interval, finding.accountable_party_id, finding.area) == (SEPTEMBER, old.pk, "compliance_reporting")
    assert finding.gap_areas == []


def test_agreement_inactive_on_a_declaration_reports_the_statuses_during_its_period(world):
    officer = actor_for(world.officer)
    start, end = last_month()
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, active=False)
    agreement = agreement_transition(
        actor=officer, agreement=agreement, action="activate", reason="Signed", at=local_day_start(start) - 30 * DAY
    )
    agreement = agreement_transition(
        actor=officer, agreement=agreement, action="suspend", reason="Audit", at=local_day_start(start) + 4 * DAY
    )
    agreement = agreement_transition(
        actor=officer,
        agreement=agreement,
        action="activate",
        reason="Audit passed",
        at=local_day_start(start) + 9 * DAY,
    )
    f.grant(world.officer, agreement, world.dataset)
    d = declaration(agreement, world.dataset, world.partner, period=(start, end))
    [finding] = check_declaration(d)
    assert finding.kind == "agreement_inactive"
    assert (finding.allowed, finding.observed) == ("active", ["active", "suspended", "active"])
    assert finding.evidence["agreement_term"] == f"{agreement.starts_on.isoformat()}/{agreement.ends_on.isoformat()}"


def month_starts():
    first, last = last_month()
    following = last + DAY
    return local(first.year, first.month, first.day), local(following.year, following.month, following.day)


def test_an_action_finding_quotes_the_version_the_events_broke_not_a_later_one(world):
    traffic = f.dataset("TRAFFIC", world.bureau)
    start, _ = month_starts()
    permission = f.grant(world.officer, world.agreement, traffic, at=start - 60 * DAY)
    changed = start + 10 * DAY
    permission_change(
        actor=actor_for(world.officer), permission=permission, reason="Add modify", actions=["read", "modify"], at=changed
    )
    events(world.agreement, traffic, n=1, action="modify", at=changed - 5 * DAY)  # under version 1: not granted
    events(world.agreement, traffic, n=1, action="modify", at=changed + 5 * DAY)  # under version 2: granted
    [finding] = scan_events(settle_seconds=0)
    assert (finding.kind, finding.permission_version, sorted(finding.allowed)) == (
        "action_not_permitted", 1, ["aggregate", "read"],
    )  # fmt: skip


def test_an_inactive_finding_names_the_suspended_version_not_the_reinstated_one(world):
    officer = actor_for(world.officer)
    traffic = f.dataset("TRAFFIC", world.bureau)
    start, _ = month_starts()
    permission = f.grant(world.officer, world.agreement, traffic, at=start - 60 * DAY)
    permission_set_status(actor=officer, permission=permission, action="suspend", reason="Audit", at=start + 5 * DAY)
    permission_set_status(actor=officer, permission=permission, action="reinstate", reason="Cleared", at=start + 10 * DAY)
    events(world.agreement, traffic, n=1, at=start + 7 * DAY)  # suspended: version 2
    events(world.agreement, traffic, n=1, at=start + 12 * DAY)  # reinstated: version 3
    [finding] = scan_events(settle_seconds=0)
    assert (finding.kind, finding.permission_version) == ("permission_inactive", 2)


def test_a_bucket_within_one_version_still_names_it(world):
    traffic = f.dataset("TRAFFIC", world.bureau)
    start, _ = month_starts()
    permission = f.grant(world.officer, world.agreement, traffic, at=start - 60 * DAY)
    permission_change(
        actor=actor_for(world.officer), permission=permission, reason="Add modify", actions=["read", "modify"],
        at=start - 30 * DAY,
    )  # fmt: skip
    events(world.agreement, traffic, n=1, action="sell", at=start + 5 * DAY)
    [finding] = scan_events(settle_seconds=0)
    assert (finding.kind, finding.permission_version, sorted(finding.allowed)) == ("action_not_permitted", 2, ["modify", "read"])
