"""The database holds the request's invariants even for writes that skip the services."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from contracts.models import GrantRequest

T0 = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)


def row(world, **fields):
    values = dict(
        agreement=world.agreement,
        dataset=world.personal_dataset,
        kind="new",
        justification="x",
        submitted_by=world.partner,
        actions=["read"],
        purposes=["PublicBenefit"],
        valid_from=T0,
    )
    values.update(fields)
    return GrantRequest(**values)


def refused_by_db(obj) -> bool:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
def test_no_approval_without_a_grant_version_and_no_refusal_without_a_reason(world):
    assert refused_by_db(row(world, status="approved", decision="full", decided_at=T0))
    assert refused_by_db(row(world, status="refused", decided_at=T0))
    assert refused_by_db(row(world, status="refused", refusal_reason="other"))  # no decision time
    assert not refused_by_db(row(world, status="refused", refusal_reason="other", decided_at=T0))


@pytest.mark.django_db
def test_a_change_names_its_grant_and_one_question_is_pending_at_a_time(world):
    assert refused_by_db(row(world, kind="change"))
    assert not refused_by_db(row(world))
    assert refused_by_db(row(world))  # a second pending request for the same dataset
    assert not refused_by_db(row(world, dataset=world.dataset, kind="change", permission=world.permission))
    assert refused_by_db(row(world, dataset=world.dataset, kind="change", permission=world.permission))
    assert GrantRequest.objects.count() == 2
