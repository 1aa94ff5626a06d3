import datetime

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration
from contracts.selectors.duties import Duty, calendar_periods, declaration_duties
from contracts.services.permissions import permission_set_status
from partnerships.actors import actor_for
from tests import factories as f

D = datetime.date


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def declare(world, dataset, start, end, submitted_at, agreement=None, supersedes=None):
    return UsageDeclaration.objects.create(
        agreement=agreement or world.agreement,
        dataset=dataset,
        period_start=start,
        period_end=end,
        purpose="PublicBenefit",
        actions=["read"],
        record_count=10,
        submitted_by=world.partner,
        submitted_at=submitted_at,
        supersedes=supersedes,
    )


@pytest.fixture
def grid(world):
    """A monthly grant from 15 January 2026, declarations due 10 days after each month."""
    dataset = f.dataset("TRAFFIC", world.bureau)
    permission = f.grant(
        world.officer,
        world.agreement,
        dataset,
        valid_from=local(2026, 1, 15, 8, 0),
        valid_until=local(2027, 1, 1),
        declaration_schedule="monthly",
        declaration_due_days=10,
    )
    return dataset, permission


def duties_of(world, today, code="TRAFFIC"):
    return [d for d in declaration_duties(agreement=world.agreement, today=today) if d.dataset_code == code]


def test_calendar_periods_follow_the_calendar():
    assert calendar_periods("monthly", D(2026, 1, 15), D(2026, 3, 1)) == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 31)),
    ]
    assert calendar_periods("quarterly", D(2026, 5, 20), D(2026, 10, 1)) == [
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
    ]
    assert calendar_periods("yearly", D(2025, 12, 31), D(2026, 1, 1)) == [
        (D(2025, 1, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 12, 31)),
    ]
    assert calendar_periods("monthly", D(2024, 12, 5), D(2025, 1, 5))[-1] == (D(2025, 1, 1), D(2025, 1, 31))
    assert calendar_periods("none", D(2026, 1, 1), D(2026, 12, 31)) == []
    assert calendar_periods("monthly", D(2026, 2, 1), D(2026, 1, 31)) == []


@pytest.mark.django_db
def test_each_month_is_received_late_missing_or_due(world, grid):
    dataset, permission = grid
    late = declare(world, dataset, D(2026, 1, 15), D(2026, 1, 31), local(2026, 2, 11, 9, 0))
    on_time = declare(world, dataset, D(2026, 3, 1), D(2026, 3, 31), local(2026, 4, 10, 23, 59))

    duties = duties_of(world, today=D(2026, 4, 12))

    assert duties == [
        Duty(permission.pk, dataset.pk, "TRAFFIC", D(2026, 1, 1), D(2026, 1, 31), D(2026, 2, 10), "late", (late.pk,)),
        Duty(permission.pk, dataset.pk, "TRAFFIC", D(2026, 2, 1), D(2026, 2, 28), D(2026, 3, 10), "missing", ()),
        Duty(permission.pk, dataset.pk, "TRAFFIC", D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 10), "received", (on_time.pk,)),
        Duty(permission.pk, dataset.pk, "TRAFFIC", D(2026, 4, 1), D(2026, 4, 30), D(2026, 5, 10), "due", ()),
    ]


@pytest.mark.django_db
def test_a_duty_is_due_up_to_its_due_day_and_missing_the_day_after(world, grid):
    assert duties_of(world, today=D(2026, 2, 10))[0].status == "due"
    assert duties_of(world, today=D(2026, 2, 11))[0].status == "missing"


@pytest.mark.django_db
def test_a_declaration_over_two_months_counts_for_both(world, grid):
    dataset, _ = grid
    both = declare(world, dataset, D(2026, 1, 20), D(2026, 2, 3), local(2026, 2, 5))

    duties = duties_of(world, today=D(2026, 3, 20))

    assert [(d.period_start, d.status, d.declaration_ids) for d in duties] == [
        (D(2026, 1, 1), "received", (both.pk,)),
        (D(2026, 2, 1), "received", (both.pk,)),
        (D(2026, 3, 1), "due", ()),
    ]


@pytest.mark.django_db
def test_a_superseded_declaration_no_longer_counts(world, grid):
    dataset, _ = grid
    first = declare(world, dataset, D(2026, 1, 1), D(2026, 1, 31), local(2026, 2, 2))
    # The correction says the use was in February, not January.
    correction = declare(world, dataset, D(2026, 2, 1), D(2026, 2, 28), local(2026, 2, 3), supersedes=first)

    duties = duties_of(world, today=D(2026, 3, 1))

    assert [(d.period_start, d.status, d.declaration_ids) for d in duties] == [
        (D(2026, 1, 1), "missing", ()),
        (D(2026, 2, 1), "received", (correction.pk,)),
        (D(2026, 3, 1), "due", ()),
    ]


@pytest.mark.django_db
def test_declarations_for_another_dataset_or_agreement_do_not_count(world, grid):
    dataset, _ = grid
    declare(world, world.dataset, D(2026, 1, 1), D(2026, 1, 31), local(2026, 2, 2))
    declare(world, dataset, D(2026, 1, 1), D(2026, 1, 31), local(2026, 2, 2), agreement=world.other_agreement)

    duties = duties_of(world, today=D(2026, 2, 20))

    assert [(d.period_start, d.status) for d in duties] == [(D(2026, 1, 1), "missing"), (D(2026, 2, 1), "due")]


@pytest.mark.django_db
def test_duties_end_with_validity_and_revocation(world):
    quarterly = f.dataset("QUARTERLY", world.bureau)
    f.grant(
        world.officer,
        world.agreement,
        quarterly,
        valid_from=local(2025, 11, 1),
        valid_until=local(2026, 4, 1),  # exclusive: the last day of use is 31 March
        declaration_schedule="quarterly",
        declaration_due_days=15,
    )
    revoked = f.dataset("REVOKED", world.bureau)
    permission = f.grant(
        world.officer,
        world.agreement,
        revoked,
        valid_from=local(2026, 1, 1),
        declaration_schedule="yearly",
        at=local(2026, 1, 1),  # granted then, so the revocation below comes after it
    )
    permission_set_status(
        actor=actor_for(world.officer), permission=permission, action="revoke", reason="Breach", at=local(2026, 3, 3)
    )
    f.grant(world.officer, world.agreement, f.dataset("NO-DUTY", world.bureau), declaration_schedule="none")

    duties = duties_of(world, today=D(2027, 6, 1), code="QUARTERLY")
    assert [(d.period_start, d.period_end, d.due_on, d.status) for d in duties] == [
        (D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 15), "missing"),
        (D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15), "missing"),
    ]
    assert [(d.period_start, d.due_on) for d in duties_of(world, today=D(2027, 6, 1), code="REVOKED")] == [
        (D(2026, 1, 1), D(2027, 1, 10)),
    ]
    assert duties_of(world, today=D(2027, 6, 1), code="NO-DUTY") == []


@pytest.mark.django_db
def test_nothing_is_due_before_the_grant_starts(world, grid):
    assert duties_of(world, today=D(2026, 1, 14)) == []
