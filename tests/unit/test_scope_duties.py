"""declaration_missing from the duty calendar; undeclared_usage from observed minus declared."""

import datetime

import pytest
from django.utils import timezone

from contracts.scope.duties import missing_declarations, undeclared_usage
from notifications.models import Alert
from notifications.services.checks import duties_check
from tests import factories as f
from tests.notifications.builders import declaration, events

pytestmark = pytest.mark.django_db

D = datetime.date


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


def test_missing_declaration_after_the_due_date(world, traffic):
    # 5 November: September is overdue (due 10 October), October is not yet (due 10 November).
    [finding] = of(missing_declarations(agreement=world.agreement, today=D(2026, 11, 5)), traffic)
    assert finding.kind == "declaration_missing"
    assert finding.interval == "2026-09-01/2026-09-30"
    assert finding.allowed == {"due_on": "2026-10-10"}
    assert finding.accountable_party_id == world.partner_org.pk
    assert finding.gap_areas == ["compliance_reporting"]
    declaration(world.agreement, traffic, world.partner, period=(D(2026, 9, 1), D(2026, 9, 30)))
    assert of(missing_declarations(agreement=world.agreement, today=D(2026, 11, 5)), traffic) == []


def test_undeclared_usage_beyond_the_tolerance(world, traffic, settings):
    settings.UNDECLARED_USAGE_TOLERANCE = 10
    september = (D(2026, 9, 1), D(2026, 9, 30))
    first = declaration(world.agreement, traffic, world.partner, period=september, record_count=1_000)
    events(world.agreement, traffic, n=11, record_count=100, at=local(2026, 9, 15, 12))  # 1,100: within 10%
    assert of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic) == []
    events(world.agreement, traffic, n=1, record_count=1, at=local(2026, 9, 30, 23, 59))  # 1,101
    events(world.agreement, traffic, n=5, record_count=100, at=local(2026, 10, 1, 0, 0))  # October: not September
    [finding] = of(undeclared_usage(agreement=world.agreement, today=D(2026, 10, 20)), traffic)
    assert finding.kind == "undeclared_usage"
    assert finding.interval == "2026-09-01/2026-09-30"
    assert (finding.allowed, finding.observed) == (1_100, 1_101)
    assert finding.evidence["declaration_ids"] == [first.pk]
    assert finding.evidence["declared_records"] == 1_000


def test_duties_check_raises_each_once(world, traffic):
    today = D(2026, 11, 5)
    first = duties_check(today=today)
    assert first > 0
    missing = Alert.objects.filter(kind="declaration_missing", dataset=traffic)
    assert list(missing.values_list("interval", "severity")) == [("2026-09-01/2026-09-30", "info")]
    duties_check(today=today)  # the same day's job delivered twice: nothing new was seen
    assert missing.get().occurrences == 1
    assert Alert.objects.filter(kind="declaration_missing", dataset=traffic).count() == 1
