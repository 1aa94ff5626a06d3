"""Accountability at T, moving through time: every past instant keeps the answer
it had, whatever was amended, revoked or reassigned after it."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration, UsageEvent
from contracts.selectors.accountability import accountability_at
from contracts.services.agreements import agreement_amend, agreement_transition
from contracts.services.permissions import permission_change, permission_grant, permission_set_status
from contracts.services.responsibilities import responsibility_assign, responsibility_end
from partnerships.actors import actor_for
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def summary(report: dict) -> dict:
    """The parts each instant is checked on, in exact values."""
    security = next(r for r in report["responsibilities"] if r["area"] == "data_security")
    return {
        "status": report["status"]["status"],
        "version": report["version"]["number"],
        "value": report["version"]["terms"]["value"],
        "grants": [(g["dataset"], g["version"], g["status"], g["quota_count"]) for g in report["grants"]],
        "not_in_force": [(g["dataset"], g["version"], g["status"]) for g in report["grants_not_in_force"]],
        "accountable": security["accountable"] and (
            security["accountable"]["party"]["name"], security["accountable"]["contact"]["username"]
        ),
        "responsible": [(p["party"]["name"], p["contact"]["name"]) for p in security["responsible"]],
    }


@pytest.fixture
def history(world):
    """One agreement through ten instants, recorded in order with ``at`` in the past."""
    now = timezone.now()
    t = {n: now - datetime.timedelta(days=100 - 10 * n) for n in range(1, 10)}
    officer = actor_for(world.officer)
    agreement = f.agreement(
        world.officer, world.bureau, world.partner_org, reference="ZJ-PPP-009", active=False, value=Decimal("1000000.00")
    )
    agreement_transition(actor=officer, agreement=agreement, action="activate", reason="Signed", at=t[1])
    grant = permission_grant(
        actor=officer, agreement=agreement, dataset=world.personal_dataset, actions=["read"],
        purposes=["ImprovePublicServices"], valid_from=t[2] - DAY, valid_until=now + 365 * DAY,
        quota_count=1000, at=t[2],
    )
    first = responsibility_assign(
        actor=officer, agreement=agreement, area="data_security", party=world.partner_org, raci="A",
        contact=world.partner, valid_from=t[2],
    )
    responsibility_assign(
        actor=officer, agreement=agreement, area="data_security", party=world.other_partner_org, raci="R",
        contact_name="王工 Wang", valid_from=t[2], valid_to=t[5],
    )
    agreement_amend(
        actor=officer, agreement=agreement, rationale="Second phase", effective_on=timezone.localdate(t[3]),
        changes={"value": Decimal("2000000.00")},
    )
    permission_change(actor=officer, permission=grant, reason="Tighter quota", quota_count=500, at=t[4])
    responsibility_end(actor=officer, assignment=first, valid_to=t[5], reason="Bureau takes over security")
    responsibility_assign(
        actor=officer, agreement=agreement, area="data_security", party=world.bureau, raci="A",
        contact=world.officer, valid_from=t[5],
    )
    agreement_transition(actor=officer, agreement=agreement, action="suspend", reason="Incident", at=t[6])
    permission_set_status(actor=officer, permission=grant, action="revoke", reason="Incident", at=t[7])
    agreement_amend(
        actor=officer, agreement=agreement, rationale="Remediation", effective_on=timezone.localdate(t[8]),
        changes={"value": Decimal("1500000.00")},
    )
    agreement.refresh_from_db()
    return agreement, t


YUNHAI = "云海科技有限公司 Yunhai Technology"
BUREAU = "省大数据发展管理局 Provincial Big Data Bureau"
SMART = "数智城市运营有限公司 Smart City Ops"


@pytest.mark.django_db
def test_each_past_instant_answers_what_was_in_force_then(history):
    agreement, t = history
    expected = {
        # before activation: a draft, nothing granted, nobody accountable
        t[1] - DAY: dict(status="draft", version=1, value="1000000.00", grants=[], not_in_force=[],
                         accountable=None, responsible=[]),
        t[1] + DAY: dict(status="active", version=1, value="1000000.00", grants=[], not_in_force=[],
                         accountable=None, responsible=[]),
        t[2] + DAY: dict(status="active", version=1, value="1000000.00",
                         grants=[("HEALTH-REC", 1, "active", 1000)], not_in_force=[],
                         accountable=(YUNHAI, "partner"), responsible=[(SMART, "王工 Wang")]),
        t[3] + DAY: dict(status="active", version=2, value="2000000.00",
                         grants=[("HEALTH-REC", 1, "active", 1000)], not_in_force=[],
                         accountable=(YUNHAI, "partner"), responsible=[(SMART, "王工 Wang")]),
        t[4] + DAY: dict(status="active", version=2, value="2000000.00",
                         grants=[("HEALTH-REC", 2, "active", 500)], not_in_force=[],
                         accountable=(YUNHAI, "partner"), responsible=[(SMART, "王工 Wang")]),
        t[5] + DAY: dict(status="active", version=2, value="2000000.00",
                         grants=[("HEALTH-REC", 2, "active", 500)], not_in_force=[],
                         accountable=(BUREAU, "officer"), responsible=[]),
        t[6] + DAY: dict(status="suspended", version=2, value="2000000.00",
                         grants=[("HEALTH-REC", 2, "active", 500)], not_in_force=[],
                         accountable=(BUREAU, "officer"), responsible=[]),
        t[7] + DAY: dict(status="suspended", version=2, value="2000000.00", grants=[],
                         not_in_force=[("HEALTH-REC", 3, "revoked")],
                         accountable=(BUREAU, "officer"), responsible=[]),
        t[8] + DAY: dict(status="suspended", version=3, value="1500000.00", grants=[],
                         not_in_force=[("HEALTH-REC", 3, "revoked")],
                         accountable=(BUREAU, "officer"), responsible=[]),
    }
    for at, want in expected.items():
        assert summary(accountability_at(agreement=agreement, at=at)) == want, at


@pytest.mark.django_db
def test_boundaries_are_half_open(history):
    agreement, t = history
    # At the instant of the change the new state holds; a microsecond before, the old one.
    before, at = t[5] - datetime.timedelta(microseconds=1), t[5]
    assert summary(accountability_at(agreement=agreement, at=before))["accountable"] == (YUNHAI, "partner")
    assert summary(accountability_at(agreement=agreement, at=at))["accountable"] == (BUREAU, "officer")
    assert summary(accountability_at(agreement=agreement, at=t[7] - datetime.timedelta(microseconds=1)))["grants"] == [
        ("HEALTH-REC", 2, "active", 500)
    ]


@pytest.mark.django_db
def test_the_report_names_who_changed_what(history):
    agreement, t = history
    report = accountability_at(agreement=agreement, at=t[7] + DAY)
    assert report["status"] == {
        "status": "suspended", "since": t[6].astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "changed_by": "officer", "reason": "Incident",
    }
    revoked = report["grants_not_in_force"][0]
    assert (revoked["change"], revoked["reason"], revoked["changed_by"]) == ("revoke", "Incident", "officer")
    assert report["version"]["rationale"] == "Second phase"
    assert report["version"]["changes"] == {"value": ["1000000.00", "2000000.00"]}
    assert "data_security" not in report["areas_without_accountable"]
    assert "personal_information" in report["areas_without_accountable"]
    security = next(r for r in report["responsibilities"] if r["area"] == "data_security")
    assert security["accountable"]["contact"]["email"] == "officer@example.test"


@pytest.mark.django_db
def test_a_grant_outside_its_validity_is_not_in_force(world):
    now = timezone.now()
    officer = actor_for(world.officer)
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-OM-010", model="OM")
    permission_grant(
        actor=officer, agreement=agreement, dataset=world.dataset, actions=["read"], purposes=["PublicBenefit"],
        valid_from=now - 10 * DAY, valid_until=now - 5 * DAY, at=now - 20 * DAY,
    )
    report = accountability_at(agreement=agreement, at=now - 15 * DAY)
    assert report["grants"] == [] and report["grants_not_in_force"][0]["not_in_force_because"] == "not yet valid"
    assert [g["dataset"] for g in accountability_at(agreement=agreement, at=now - 7 * DAY)["grants"]] == ["POP-STATS"]
    report = accountability_at(agreement=agreement, at=now - DAY)
    assert report["grants"] == [] and report["grants_not_in_force"][0]["not_in_force_because"] == "expired"


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def event(agreement, dataset, n, at, records=10):
    UsageEvent.objects.create(
        source="gateway", event_id=f"e{n}", occurred_at=at, agreement=agreement, dataset=dataset,
        action="read", purpose="PublicBenefit", record_count=records,
    )


def declaration(agreement, dataset, user, start, end, count, submitted_at, supersedes=None):
    return UsageDeclaration.objects.create(
        agreement=agreement, dataset=dataset, period_start=start, period_end=end, purpose="PublicBenefit",
        actions=["read"], record_count=count, submitted_by=user, submitted_at=submitted_at, supersedes=supersedes,
    )


@pytest.mark.django_db
def test_declared_and_observed_use_in_the_quota_month_around_t(world):
    officer = actor_for(world.officer)
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-SVC-011", model="SERVICE")
    permission_grant(
        actor=officer, agreement=agreement, dataset=world.dataset, actions=["read"], purposes=["PublicBenefit"],
        valid_from=local(2026, 1, 1), quota_count=100, quota_interval="month", at=local(2026, 1, 1),
    )
    ds = world.dataset
    event(agreement, ds, 1, local(2026, 5, 31, 23, 30))  # May, local time (already June in no zone)
    event(agreement, ds, 2, local(2026, 6, 1, 0, 30))  # June; still May 31 in UTC
    event(agreement, ds, 3, local(2026, 6, 14, 9, 0), records=25)
    event(agreement, ds, 4, local(2026, 6, 20, 9, 0), records=5)  # after T, same month
    event(agreement, ds, 5, local(2026, 7, 1, 0, 0))  # July
    event(world.other_agreement, ds, 7, local(2026, 6, 5))  # another agreement
    partner = world.partner
    declaration(agreement, ds, partner, datetime.date(2026, 5, 1), datetime.date(2026, 5, 31), 80, local(2026, 6, 2))
    june = declaration(agreement, ds, partner, datetime.date(2026, 6, 1), datetime.date(2026, 6, 30), 30, local(2026, 6, 10))
    declaration(agreement, ds, partner, datetime.date(2026, 6, 1), datetime.date(2026, 6, 30), 45, local(2026, 6, 20),
                supersedes=june)

    t = local(2026, 6, 15, 12, 0)
    usage = accountability_at(agreement=agreement, at=t)["usage"]
    assert len(usage) == 1
    row = usage[0]
    assert (row["dataset"], row["interval"], row["grant_version"], row["quota_count"]) == ("POP-STATS", "month", 1, 100)
    assert (row["window_start"], row["window_end"]) == ("2026-05-31T16:00:00Z", "2026-06-30T16:00:00Z")
    assert row["observed"] == {"events": 3, "records": 40, "events_by_t": 2, "records_by_t": 35}
    # At T the June declaration of 30 was the one standing; its correction came later.
    assert row["declared"]["records"] == 30
    assert [d["declaration"] for d in row["declared"]["declarations"]] == [june.pk]

    later = accountability_at(agreement=agreement, at=local(2026, 6, 25))["usage"][0]
    assert later["declared"]["records"] == 45 and later["observed"]["records_by_t"] == 40


@pytest.mark.django_db
def test_use_of_a_dataset_never_granted_is_reported_for_the_month(world):
    agreement = world.agreement  # granted POP-STATS only
    now = timezone.now()
    event(agreement, world.personal_dataset, 1, now, records=12)
    usage = accountability_at(agreement=agreement, at=now)["usage"]
    assert [(u["dataset"], u["permission"], u["interval"], u["observed"]["records"]) for u in usage] == [
        ("HEALTH-REC", None, "month", 12),
        ("POP-STATS", world.permission.pk, "month", 0),
    ]


@pytest.mark.django_db
def test_day_week_and_total_windows(world):
    officer = actor_for(world.officer)
    t = local(2026, 6, 17, 15, 0)  # a Wednesday
    for code, interval in (("D-DAY", "day"), ("D-WEEK", "week"), ("D-TOTAL", "total")):
        permission_grant(
            actor=officer, agreement=world.other_agreement, dataset=f.dataset(code, world.bureau), actions=["read"],
            purposes=["PublicBenefit"], valid_from=local(2026, 6, 1), quota_interval=interval, at=local(2026, 6, 1),
        )
    usage = {u["dataset"]: u for u in accountability_at(agreement=world.other_agreement, at=t)["usage"]}
    assert (usage["D-DAY"]["window_start"], usage["D-DAY"]["window_end"]) == ("2026-06-16T16:00:00Z", "2026-06-17T16:00:00Z")
    assert (usage["D-WEEK"]["window_start"], usage["D-WEEK"]["window_end"]) == ("2026-06-14T16:00:00Z", "2026-06-21T16:00:00Z")
    assert usage["D-TOTAL"]["window_start"] == "2026-05-31T16:00:00Z"
    assert usage["D-TOTAL"]["window_end"] == "2026-06-17T07:00:00.000001Z"
