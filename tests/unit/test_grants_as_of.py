"""What was granted, and who was accountable, at each instant between the steps of a history."""

import datetime

import pytest
from django.utils import timezone

from contracts.selectors.grants import (
    accountable_at,
    agreement_status_at,
    permission_version_at,
    permission_versions_at,
    permission_versions_in_force,
    permissions_visible_to,
    required_areas,
    responsibilities_at,
    responsibility_gaps,
)
from contracts.services.agreements import agreement_transition
from contracts.services.permissions import permission_change, permission_set_status
from contracts.services.responsibilities import responsibility_end
from partnerships.actors import actor_for
from tests import factories as f

HOUR = datetime.timedelta(hours=1)
T0 = timezone.now().replace(microsecond=0) - datetime.timedelta(days=60)


def at(n):
    """The n-th step of a story, an hour apart."""
    return T0 + n * HOUR


@pytest.fixture
def story(world):
    """grant (1) -> change (2) -> suspend (3) -> reinstate (4) -> change recipients (5) -> revoke (6)."""
    actor = actor_for(world.officer)
    grant = f.grant(
        world.officer, world.agreement, world.personal_dataset, quota_count=100, actions=["read"], at=at(1)
    )
    permission_change(actor=actor, permission=grant, reason="Wider", quota_count=300, actions=["read", "derive"], at=at(2))
    permission_set_status(actor=actor, permission=grant, action="suspend", reason="Leak", at=at(3))
    permission_set_status(actor=actor, permission=grant, action="reinstate", reason="Fixed", at=at(4))
    permission_change(actor=actor, permission=grant, reason="Onward", recipients=[world.other_partner_org], at=at(5))
    permission_set_status(actor=actor, permission=grant, action="revoke", reason="Breach", at=at(6))
    grant.refresh_from_db()
    return grant


def state(grant, instant):
    version = permission_version_at(grant, instant)
    if version is None:
        return None
    return version.number, version.status, version.quota_count, version.actions, version.recipient_ids


@pytest.mark.django_db
def test_permission_at_each_instant_of_its_history(world, story):
    other = world.other_partner_org.pk
    assert state(story, at(1) - datetime.timedelta(microseconds=1)) is None
    assert state(story, at(1)) == (1, "active", 100, ["read"], [])
    assert state(story, at(1.5)) == (1, "active", 100, ["read"], [])
    assert state(story, at(2)) == (2, "active", 300, ["derive", "read"], [])
    assert state(story, at(3.5)) == (3, "suspended", 300, ["derive", "read"], [])
    assert state(story, at(4.5)) == (4, "active", 300, ["derive", "read"], [])
    assert state(story, at(5.5)) == (5, "active", 300, ["derive", "read"], [other])
    assert state(story, at(6)) == (6, "revoked", 300, ["derive", "read"], [other])
    assert state(story, at(1000)) == (6, "revoked", 300, ["derive", "read"], [other])
    # Now, the grant itself says what its last version says.
    assert (story.version, story.status, story.status_reason) == (6, "revoked", "Breach")


@pytest.mark.django_db
def test_exactly_one_version_is_in_force_at_any_instant(world, story):
    for step in (1, 1.5, 2, 2.99, 3, 4, 5, 6, 7):
        numbers = list(permission_versions_at(world.agreement.pk, at(step)).filter(permission=story).values_list("number", flat=True))
        assert len(numbers) == 1, (step, numbers)
    assert not permission_versions_at(world.agreement.pk, at(0)).filter(permission=story).exists()


@pytest.mark.django_db
def test_versions_in_force_are_scoped_by_the_permissions_given(world, story):
    def seen(user, instant):
        visible = permissions_visible_to(actor_for(user))
        return sorted(permission_versions_in_force(visible, instant).values_list("permission_id", "number"))

    assert seen(world.partner, at(3.5)) == [(story.pk, 3)]
    assert seen(world.other_partner, at(3.5)) == []
    assert seen(world.far_officer, at(3.5)) == []
    # The persona grant was made "now"; sixty days ago only the story's grant stood.
    assert seen(world.officer, at(2)) == [(story.pk, 2)]
    assert seen(world.officer, timezone.now() + HOUR) == sorted([(world.permission.pk, 1), (story.pk, 6)])


@pytest.fixture
def duties(world):
    """A accountable for data security: partner (1..3), gap (3..4), bureau (4..); R all along."""
    actor = actor_for(world.officer)
    first = f.assign(world.officer, world.agreement, "data_security", world.partner_org, valid_from=at(1))
    responsible = f.assign(world.officer, world.agreement, "data_security", world.bureau, raci="R", valid_from=at(1))
    responsibility_end(actor=actor, assignment=first, valid_to=at(3), reason="Handover")
    second = f.assign(world.officer, world.agreement, "data_security", world.bureau, valid_from=at(4), contact=world.officer)
    return first, responsible, second


@pytest.mark.django_db
def test_accountable_party_at_each_instant(world, duties):
    first, responsible, second = duties

    def who(instant):
        found = accountable_at(world.agreement.pk, "data_security", instant)
        return found.pk if found else None

    assert who(at(0.5)) is None
    assert who(at(1)) == first.pk
    assert who(at(2.99)) == first.pk
    assert who(at(3)) is None
    assert who(at(3.5)) is None
    assert who(at(4)) == second.pk
    assert who(at(100)) == second.pk
    assert accountable_at(world.agreement.pk, "incident_response", at(2)) is None


@pytest.mark.django_db
def test_responsibilities_in_force_at_each_instant(world, duties):
    first, responsible, second = duties

    def held(instant):
        return sorted(responsibilities_at(world.agreement.pk, instant).values_list("pk", flat=True))

    assert held(at(0)) == []
    assert held(at(2)) == sorted([first.pk, responsible.pk])
    assert held(at(3.5)) == [responsible.pk]
    assert held(at(5)) == sorted([responsible.pk, second.pk])
    assert held(at(5)) == held(at(500))
    assert not responsibilities_at(world.other_agreement.pk, at(5)).exists()


@pytest.mark.django_db
def test_agreement_status_through_its_transitions(world):
    actor = actor_for(world.officer)
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, active=False, model="SERVICE")
    created = agreement.created_at
    agreement_transition(actor=actor, agreement=agreement, action="activate", reason="Signed", at=created + HOUR)
    agreement_transition(actor=actor, agreement=agreement, action="suspend", reason="Audit", at=created + 2 * HOUR)
    agreement_transition(actor=actor, agreement=agreement, action="terminate", reason="Breach", at=created + 3 * HOUR)
    assert agreement_status_at(agreement, created - HOUR) is None
    assert agreement_status_at(agreement, created + 0.5 * HOUR) == "draft"
    assert agreement_status_at(agreement, created + HOUR) == "active"
    assert agreement_status_at(agreement, created + 2.5 * HOUR) == "suspended"
    assert agreement_status_at(agreement, created + 4 * HOUR) == "terminated"


@pytest.mark.django_db
def test_gaps_follow_the_agreement_and_the_assignments(world):
    actor = actor_for(world.officer)
    agreement = f.agreement(world.officer, world.bureau, world.partner_org, active=False, model="SERVICE")
    start = agreement.created_at + HOUR
    agreement_transition(actor=actor, agreement=agreement, action="activate", reason="Signed", at=start)
    # A SERVICE agreement has no construction and no asset transfer.
    assert required_areas(agreement, start) == {"data_security", "incident_response"}
    assert responsibility_gaps(agreement, start - HOUR) == []  # still a draft
    assert responsibility_gaps(agreement, start) == ["data_security", "incident_response"]
    f.assign(world.officer, agreement, "data_security", world.partner_org, valid_from=start + HOUR)
    f.assign(world.officer, agreement, "incident_response", world.partner_org, valid_from=start + HOUR)
    assert responsibility_gaps(agreement, start + HOUR) == []
    # A grant over sensitive personal data makes personal-information protection an area to answer for.
    f.grant(world.officer, agreement, world.personal_dataset, at=start + 2 * HOUR)
    assert responsibility_gaps(agreement, start + 1.5 * HOUR) == []
    assert responsibility_gaps(agreement, start + 2 * HOUR) == ["personal_information"]
    f.assign(world.officer, agreement, "personal_information", world.bureau, valid_from=start + 3 * HOUR)
    assert responsibility_gaps(agreement, start + 3 * HOUR) == []
    agreement_transition(actor=actor, agreement=agreement, action="suspend", reason="Audit", at=start + 4 * HOUR)
    assert responsibility_gaps(agreement, start + 5 * HOUR) == []
