"""Fifty-two grant requests with known outcomes and decision times, for the demand measures.

Three agreements in one province:
  A1 bureau x partner (ZJ-BOT-001), A2 bureau x other partner (ZJ-SVC-002),
  A3 city bureau x partner (ZJ-CITY-003).
Each request is filed at 10:00 Shanghai time (02:00 UTC) on a day of January or
February 2027 and, when decided, decided the given number of hours later.
The expected measures in the tests are worked out by hand from this table.
"""

import datetime
from dataclasses import dataclass

from contracts.services.grant_requests import grant_request_approve, grant_request_refuse, grant_request_submit, grant_request_withdraw
from partnerships.actors import actor_for
from tests import factories as f

# (month, outcome, hours to decision, refusal reason); outcome in full narrowed refused pending withdrawn
TABLE = {
    "A1": [
        (1, "full", 10, ""), (1, "full", 20, ""), (1, "full", 30, ""), (1, "full", 40, ""),
        (1, "narrowed", 50, ""), (1, "narrowed", 60, ""), (1, "narrowed", 70, ""),
        (1, "refused", 80, "security_risk"), (1, "refused", 90, "security_risk"), (1, "refused", 100, "not_necessary"),
        (1, "pending", None, ""), (1, "withdrawn", None, ""),
        (2, "full", 5, ""), (2, "full", 15, ""), (2, "full", 25, ""),
        (2, "narrowed", 35, ""), (2, "narrowed", 45, ""), (2, "narrowed", 55, ""),
        (2, "refused", 65, "personal_information"), (2, "refused", 75, "exceeds_purpose"),
        (2, "pending", None, ""), (2, "pending", None, ""), (2, "pending", None, ""), (2, "withdrawn", None, ""),
    ],
    "A2": [
        (1, "full", 100, ""), (1, "full", 200, ""), (1, "narrowed", 300, ""), (1, "narrowed", 400, ""),
        (1, "refused", 500, "legal_basis_missing"), (1, "refused", 600, "other"), (1, "refused", 700, "security_risk"),
        (1, "pending", None, ""),
        (2, "full", 24, ""), (2, "narrowed", 48, ""),
        (2, "refused", 72, "not_necessary"), (2, "refused", 96, "not_necessary"),
        (2, "pending", None, ""), (2, "pending", None, ""), (2, "pending", None, ""), (2, "pending", None, ""),
    ],
    "A3": [
        (1, "full", 1, ""), (1, "full", 2, ""), (1, "full", 3, ""), (1, "narrowed", 4, ""),
        (1, "refused", 5, "exceeds_purpose"), (1, "pending", None, ""),
        (2, "full", 6, ""), (2, "full", 7, ""), (2, "narrowed", 8, ""), (2, "refused", 9, "security_risk"),
        (2, "pending", None, ""), (2, "pending", None, ""),
    ],
}


@dataclass
class DemandWorld:
    city_bureau: object
    city_officer: object
    agreements: dict
    requests: list


def build(world) -> DemandWorld:
    city_bureau = f.organization("杭州市数据资源管理局 City Data Bureau", "government", "330100")
    city_officer = f.user("city_officer", (city_bureau, "officer"))
    a3 = f.agreement(city_officer, city_bureau, world.partner_org, reference="ZJ-CITY-003", model="SERVICE")
    agreements = {
        "A1": (world.agreement, world.partner, world.officer),
        "A2": (world.other_agreement, world.other_partner, world.officer),
        "A3": (a3, world.partner, city_officer),
    }
    requests = []
    n = 0
    for name, rows in TABLE.items():
        agreement, partner, officer = agreements[name]
        day = {1: 0, 2: 0}
        for month, outcome, hours, reason in rows:
            n += 1
            day[month] += 1
            submitted = datetime.datetime(2027, month, day[month], 2, 0, tzinfo=datetime.timezone.utc)
            dataset = f.dataset(f"DEMAND-{n:03d}", agreement.government)
            grant_request = grant_request_submit(
                actor=actor_for(partner),
                agreement=agreement,
                kind="new",
                dataset=dataset,
                actions=["read", "aggregate"],
                purposes=["PublicBenefit"],
                valid_from=submitted,
                justification=f"Demand {n}",
                at=submitted,
            )
            officer_actor = actor_for(officer)
            decided = submitted + datetime.timedelta(hours=hours) if hours is not None else None
            if outcome == "full":
                grant_request_approve(actor=officer_actor, grant_request=grant_request, at=decided)
            elif outcome == "narrowed":
                grant_request_approve(actor=officer_actor, grant_request=grant_request, at=decided, actions=["read"])
            elif outcome == "refused":
                grant_request_refuse(
                    actor=officer_actor, grant_request=grant_request, reason=reason, explanation="See reason", at=decided
                )
            elif outcome == "withdrawn":
                grant_request_withdraw(
                    actor=actor_for(partner), grant_request=grant_request, at=submitted + datetime.timedelta(hours=1)
                )
            requests.append(grant_request)
    return DemandWorld(city_bureau=city_bureau, city_officer=city_officer, agreements=agreements, requests=requests)
