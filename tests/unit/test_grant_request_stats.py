"""The demand measures against values worked out by hand from tests/grant_request_fixture.py.

All 38 decision durations, in hours, sorted:
  1 2 3 4 5 5 6 7 8 9 | 10 15 20 24 25 30 35 40 45 48 | 50 55 60 65 70 72 75 80 90 96 | 100 100 200 300 400 500 600 700
median: position 0.5 * 37 = 18.5, between 45 and 48 -> 46.5;
p90: position 0.9 * 37 = 33.3, between 300 and 400 -> 330.
"""

import datetime

import pytest

from contracts.models import GrantRequest
from contracts.selectors.grant_request_stats import grant_request_stats, percentile_cont
from partnerships.actors import actor_for
from tests import grant_request_fixture

ALL_REASONS = ("not_necessary", "exceeds_purpose", "security_risk", "personal_information", "legal_basis_missing", "other")


def reasons(**counts):
    return {code: counts.get(code, 0) for code in ALL_REASONS}


@pytest.fixture
def demand(world):
    return grant_request_fixture.build(world)


def stats(user, **filters):
    return grant_request_stats(actor=actor_for(user), **filters)


@pytest.mark.django_db
def test_fixture_has_fifty_two_requests(demand):
    assert GrantRequest.objects.count() == 52
    assert len(demand.requests) == 52


@pytest.mark.django_db
def test_totals_for_the_supervisor_of_the_province(world, demand):
    total = stats(world.supervisor)["total"]
    assert total == {
        "received": 52,
        "approved_full": 15,
        "approved_narrowed": 11,
        "refused": 12,
        "pending": 12,
        "withdrawn": 2,
        "decided": 38,
        "satisfaction_rate": 0.6842,  # 26 / 38
        "full_satisfaction_rate": 0.3947,  # 15 / 38
        "median_hours_to_decision": 46.5,
        "p90_hours_to_decision": 330.0,
        "refused_by_reason": reasons(
            security_risk=4, not_necessary=3, exceeds_purpose=2, personal_information=1, legal_basis_missing=1, other=1
        ),
    }


@pytest.mark.django_db
def test_filter_by_agency(world, demand):
    # A1 + A2: durations 5 10 15 20 24 25 30 35 40 45 48 50 55 60 65 | 70 72 75 80 90 96 100 100 200 300 400 500 600 700
    total = stats(world.supervisor, agency_id=world.bureau.pk)["total"]
    assert (total["received"], total["approved_full"], total["approved_narrowed"], total["refused"]) == (40, 10, 9, 10)
    assert (total["pending"], total["withdrawn"], total["decided"]) == (9, 2, 29)
    assert total["satisfaction_rate"] == 0.6552  # 19 / 29
    assert total["median_hours_to_decision"] == 65.0  # position 14
    assert total["p90_hours_to_decision"] == 420.0  # position 25.2: 400 + 0.2 * 100
    assert total["refused_by_reason"] == reasons(
        security_risk=3, not_necessary=3, personal_information=1, exceeds_purpose=1, legal_basis_missing=1, other=1
    )


@pytest.mark.django_db
def test_filter_by_partner(world, demand):
    # A1 + A3: 1 2 3 4 5 5 6 7 8 9 10 15 20 25 30 35 40 45 50 55 60 65 70 75 80 90 100
    total = stats(world.supervisor, partner_id=world.partner_org.pk)["total"]
    assert (total["received"], total["approved_full"], total["approved_narrowed"], total["refused"]) == (36, 12, 8, 7)
    assert (total["pending"], total["withdrawn"]) == (7, 2)
    assert (total["satisfaction_rate"], total["full_satisfaction_rate"]) == (0.7407, 0.4444)  # 20/27, 12/27
    assert total["median_hours_to_decision"] == 25.0  # position 13
    assert total["p90_hours_to_decision"] == 77.0  # position 23.4: 75 + 0.4 * 5


@pytest.mark.django_db
def test_filter_by_period(world, demand):
    # February: 5 6 7 8 9 15 24 25 35 45 48 55 65 72 75 96
    total = stats(world.supervisor, date_from=datetime.date(2027, 2, 1), date_to=datetime.date(2027, 2, 28))["total"]
    assert (total["received"], total["approved_full"], total["approved_narrowed"], total["refused"]) == (26, 6, 5, 5)
    assert (total["pending"], total["withdrawn"], total["satisfaction_rate"]) == (9, 1, 0.6875)  # 11 / 16
    assert (total["median_hours_to_decision"], total["p90_hours_to_decision"]) == (30.0, 73.5)
    assert total["refused_by_reason"] == reasons(not_necessary=2, personal_information=1, exceeds_purpose=1, security_risk=1)
    # The period's last day counts whole: the requests of 2027-02-12 10:00 are in, none of 2027-02-13 exist.
    assert stats(world.supervisor, date_from=datetime.date(2027, 2, 12), date_to=datetime.date(2027, 2, 12))["total"][
        "received"
    ] == 1
    assert stats(world.supervisor, date_to=datetime.date(2026, 12, 31))["total"]["received"] == 0


@pytest.mark.django_db
def test_filters_combine(world, demand):
    # A3 in January: 1 2 3 4 5
    total = stats(
        world.supervisor,
        agency_id=demand.city_bureau.pk,
        date_from=datetime.date(2027, 1, 1),
        date_to=datetime.date(2027, 1, 31),
    )["total"]
    assert (total["received"], total["approved_full"], total["approved_narrowed"], total["refused"], total["pending"]) == (
        6,
        3,
        1,
        1,
        1,
    )
    assert (total["median_hours_to_decision"], total["p90_hours_to_decision"]) == (3.0, 4.6)
    assert total["refused_by_reason"] == reasons(exceeds_purpose=1)


@pytest.mark.django_db
def test_groups(world, demand):
    by_partner = stats(world.supervisor, group_by="partner")["groups"]
    assert [(g["key"], g["received"], g["decided"], g["median_hours_to_decision"]) for g in by_partner] == sorted(
        [(world.partner_org.pk, 36, 27, 25.0), (world.other_partner_org.pk, 16, 11, 200.0)]
    )
    by_agency = stats(world.supervisor, group_by="agency")["groups"]
    assert {g["key"]: (g["received"], g["refused"]) for g in by_agency} == {
        world.bureau.pk: (40, 10),
        demand.city_bureau.pk: (12, 2),
    }
    by_month = stats(world.supervisor, group_by="month")["groups"]
    assert [(g["key"], g["received"], g["pending"], g["p90_hours_to_decision"]) for g in by_month] == [
        # January: 1 2 3 4 5 10 20 30 40 50 60 70 80 90 100 100 200 300 400 500 600 700 -> p90 at 18.9: 400 + 0.9 * 100
        ("2027-01", 26, 3, 490.0),
        ("2027-02", 26, 9, 73.5),
    ]


@pytest.mark.django_db
def test_each_person_measures_only_what_they_may_see(world, demand):
    assert stats(world.partner)["total"]["received"] == 36
    assert stats(world.other_partner)["total"]["received"] == 16
    assert stats(world.officer)["total"]["received"] == 40  # the bureau's agreements, not the city's
    assert stats(demand.city_officer)["total"]["received"] == 12
    # Naming another partner filters to nothing rather than revealing it.
    assert stats(world.partner, partner_id=world.other_partner_org.pk)["total"]["received"] == 0
    far = stats(world.far_officer)["total"]
    assert (far["received"], far["satisfaction_rate"], far["median_hours_to_decision"]) == (0, None, None)


@pytest.mark.django_db
@pytest.mark.needs_postgres
def test_postgres_percentiles_agree_with_the_portable_ones(world, demand, settings):
    in_sql = stats(world.supervisor, group_by="month")
    settings.DB_VENDOR = "sqlite"  # the portable path, computed in Python over the same rows
    in_python = stats(world.supervisor, group_by="month")
    assert in_sql == in_python


def test_percentile_matches_postgres_percentile_cont():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7], 0.9) == 7
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([10, 1, 5], 0.9) == 9.0  # sorted 1 5 10, position 1.8
    hours = [datetime.timedelta(hours=h) for h in (1, 3)]
    assert percentile_cont(hours, 0.5) == datetime.timedelta(hours=2)
