import csv
import datetime
import io

import pytest

from contracts.services.grant_requests import grant_request_approve, grant_request_refuse, grant_request_submit
from partnerships.actors import actor_for
from tests import factories as f

URL = "/api/v1/grant-requests/stats/"
JAN = datetime.datetime(2027, 1, 4, 2, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def three_requests(world):
    """Partner: one approved in full after 12 h, one refused after 36 h; other partner: one pending."""
    out = []
    for n, (user, agreement) in enumerate(
        [(world.partner, world.agreement), (world.partner, world.agreement), (world.other_partner, world.other_agreement)]
    ):
        out.append(
            grant_request_submit(
                actor=actor_for(user),
                agreement=agreement,
                kind="new",
                dataset=f.dataset(f"STATS-{n}", world.bureau),
                actions=["read"],
                purposes=["ServiceProvision"],
                valid_from=JAN,
                justification="Needed",
                at=JAN,
            )
        )
    officer = actor_for(world.officer)
    grant_request_approve(actor=officer, grant_request=out[0], at=JAN + datetime.timedelta(hours=12))
    grant_request_refuse(
        actor=officer, grant_request=out[1], reason="security_risk", at=JAN + datetime.timedelta(hours=36)
    )
    return out


@pytest.mark.django_db
def test_stats_as_json(world, client_for, three_requests):
    response = client_for(world.officer).get(URL, {"from": "2027-01-01", "to": "2027-01-31", "group_by": "partner"})
    assert response.status_code == 200, response.data
    total = response.data["total"]
    assert (total["received"], total["approved_full"], total["refused"], total["pending"]) == (3, 1, 1, 1)
    assert (total["satisfaction_rate"], total["median_hours_to_decision"], total["p90_hours_to_decision"]) == (
        0.5,
        24.0,
        33.6,  # 12 + 0.9 * 24
    )
    assert total["refused_by_reason"]["security_risk"] == 1
    assert [(g["key"], g["received"]) for g in response.data["groups"]] == sorted(
        [(world.partner_org.pk, 2), (world.other_partner_org.pk, 1)]
    )
    assert response.data["filters"]["from"] == datetime.date(2027, 1, 1)


@pytest.mark.django_db
def test_stats_as_csv(world, client_for, three_requests):
    response = client_for(world.officer).get(URL, {"format": "csv", "partner": world.partner_org.credit_code})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="grant-request-stats.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["group"] == "total"
    assert (rows[0]["received"], rows[0]["approved_full"], rows[0]["refused"], rows[0]["pending"]) == ("2", "1", "1", "0")
    assert (rows[0]["satisfaction_rate"], rows[0]["median_hours_to_decision"]) == ("0.5", "24.0")
    assert rows[0]["refused_security_risk"] == "1"
    assert rows[0]["refused_other"] == "0"


@pytest.mark.django_db
def test_stats_csv_groups_by_month(world, client_for, three_requests):
    response = client_for(world.supervisor).get(URL, {"format": "csv", "group_by": "month"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["group"], r["key"], r["received"]) for r in rows] == [("month", "2027-01", "3"), ("total", "", "3")]


@pytest.mark.django_db
def test_partners_measure_only_their_own_requests(world, client_for, three_requests):
    assert client_for(world.partner).get(URL).data["total"]["received"] == 2
    assert client_for(world.other_partner).get(URL).data["total"]["received"] == 1
    assert client_for(world.far_officer).get(URL).data["total"]["received"] == 0
    assert client_for(None).get(URL).status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "January"}, "from"),
        ({"from": "2027-02-01", "to": "2027-01-01"}, "to"),
        ({"agency": "no-such-agency"}, "agency"),
        ({"group_by": "weekday"}, "group_by"),
        ({"partnr": "1"}, "partnr"),
    ],
)
def test_bad_filters_are_400(world, client_for, params, field):
    response = client_for(world.officer).get(URL, params)
    assert response.status_code == 400
    assert list(response.data) == [field]


@pytest.mark.django_db
def test_bad_filter_in_csv_is_a_400_too(world, client_for):
    response = client_for(world.officer).get(URL, {"format": "csv", "from": "soon"})
    assert response.status_code == 400
    assert "from" in response.content.decode("utf-8-sig")
