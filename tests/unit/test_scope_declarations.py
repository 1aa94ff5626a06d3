"""The scope check of one declaration: default deny, one finding per rule broken."""

import datetime

import pytest
from django.utils import timezone

from contracts.scope.declarations import check_declaration
from contracts.services.permissions import permission_set_status
from partnerships.actors import actor_for
from tests import factories as f
from tests.notifications.builders import declaration, last_month
from tests.notifications.fast import fast_passwords  # noqa: F401

pytestmark = pytest.mark.django_db


def kinds(findings):
    return sorted(x.kind for x in findings)


def test_declaration_within_the_grant_has_no_findings(world):
    d = declaration(world.agreement, world.dataset, world.partner, purpose="ImprovePublicServices", actions=["read"])
    assert check_declaration(d) == []


def test_wrong_purpose_names_rule_version_allowed_and_observed(world):
    d = declaration(world.agreement, world.dataset, world.partner, purpose="Marketing")
    [finding] = check_declaration(d)
    assert finding.kind == "purpose_not_permitted"
    assert finding.permission_id == world.permission.pk
    assert finding.permission_version == 1
    assert finding.allowed == ["PublicBenefit"]
    assert finding.observed == "Marketing"
    assert finding.evidence["declaration_ids"] == [d.pk]
    assert finding.accountable_party_id == world.partner_org.pk  # nobody assigned: the partner itself
    assert finding.gap_areas == ["data_security"]


def test_every_kind_of_declaration_violation_is_found_once(world):
    stranger = f.organization("Data broker", "enterprise", "330100")
    d = declaration(
        world.agreement, world.dataset, world.partner,
        purpose="SellDataToThirdParties", actions=["read", "sell"], record_count=20_000, recipients=[stranger],
    )  # fmt: skip
    findings = check_declaration(d)
    assert kinds(findings) == ["action_not_permitted", "purpose_not_permitted", "quota_exceeded", "recipient_not_approved"]
    by_kind = {x.kind: x for x in findings}
    assert by_kind["action_not_permitted"].observed == ["sell"]
    assert by_kind["recipient_not_approved"].observed == [stranger.pk]
    assert by_kind["quota_exceeded"].allowed == 10_000
    assert by_kind["quota_exceeded"].observed == 20_000
    start, _ = last_month()
    assert by_kind["quota_exceeded"].interval == f"month:{start.isoformat()}"


def test_dataset_without_grant_is_denied(world):
    d = declaration(world.agreement, world.personal_dataset, world.partner)
    [finding] = check_declaration(d)
    assert finding.kind == "dataset_not_permitted"
    assert finding.permission_id is None
    # Personal data touches personal_information too: both areas lack an accountable party.
    assert finding.gap_areas == ["data_security", "personal_information"]


def test_quota_counts_every_live_declaration_of_the_interval(world):
    first = declaration(world.agreement, world.dataset, world.partner, record_count=6_000)
    assert check_declaration(first) == []
    second = declaration(world.agreement, world.dataset, world.partner, record_count=5_000)
    [finding] = check_declaration(second)
    assert finding.kind == "quota_exceeded"
    assert finding.observed == 11_000
    assert finding.evidence["declaration_ids"] == [first.pk, second.pk]


def test_a_correction_replaces_what_it_supersedes_in_the_quota(world):
    first = declaration(world.agreement, world.dataset, world.partner, record_count=9_000)
    correction = declaration(world.agreement, world.dataset, world.partner, record_count=9_500, supersedes=first)
    assert check_declaration(correction) == []


def test_suspended_grant_and_inactive_agreement(world):
    now = timezone.now()
    start = (now - datetime.timedelta(days=3)).date()
    traffic = f.dataset("TRAFFIC", world.bureau)
    permission = f.grant(world.officer, world.agreement, traffic, at=now - datetime.timedelta(days=30))
    permission_set_status(
        actor=actor_for(world.officer), permission=permission, action="suspend", reason="Audit",
        at=now - datetime.timedelta(days=5),
    )  # fmt: skip
    d = declaration(world.agreement, traffic, world.partner, period=(start, start))
    assert kinds(check_declaration(d)) == ["permission_inactive"]
    draft = f.agreement(world.officer, world.bureau, world.partner_org, active=False)
    f.grant(world.officer, draft, world.dataset)
    d2 = declaration(draft, world.dataset, world.partner, period=(start, start))
    assert "agreement_inactive" in kinds(check_declaration(d2))


def test_outside_validity(world):
    now = timezone.now()
    permission = f.grant(
        world.officer, world.agreement, world.personal_dataset,
        valid_from=now - datetime.timedelta(days=400), valid_until=now - datetime.timedelta(days=200),
    )  # fmt: skip
    day = (now - datetime.timedelta(days=100)).date()
    d = declaration(world.agreement, world.personal_dataset, world.partner, period=(day, day))
    [finding] = check_declaration(d)
    assert finding.kind == "outside_validity"
    assert finding.permission_id == permission.pk


def test_accountable_party_of_the_most_specific_area(world):
    security = f.organization("Security contractor", "enterprise", "330100")
    f.assign(world.officer, world.agreement, "data_security", security)
    f.assign(world.officer, world.agreement, "personal_information", world.partner_org)
    f.grant(world.officer, world.agreement, world.personal_dataset)
    d = declaration(world.agreement, world.personal_dataset, world.partner, purpose="Marketing")
    [finding] = check_declaration(d)
    assert finding.accountable_party_id == world.partner_org.pk
    assert finding.area == "personal_information"
    assert finding.gap_areas == []
    d2 = declaration(world.agreement, world.dataset, world.partner, purpose="Marketing")
    [finding2] = check_declaration(d2)
    assert (finding2.accountable_party_id, finding2.area) == (security.pk, "data_security")
