import pytest

from contracts.selectors.agreements import agreements_visible_to
from partnerships.actors import actor_for


def refs(user):
    return sorted(agreements_visible_to(actor_for(user)).values_list("reference", flat=True))


@pytest.mark.django_db
def test_each_persona_sees_exactly_its_agreements(world):
    assert refs(world.officer) == ["ZJ-BOT-001", "ZJ-SVC-002"]
    assert refs(world.partner) == ["ZJ-BOT-001"]
    assert refs(world.other_partner) == ["ZJ-SVC-002"]
    assert refs(world.supervisor) == ["ZJ-BOT-001", "ZJ-SVC-002"]
    assert refs(world.auditor) == ["ZJ-BOT-001", "ZJ-SVC-002"]
    assert refs(world.far_officer) == ["JS-JV-001"]
    assert refs(world.admin) == ["JS-JV-001", "ZJ-BOT-001", "ZJ-SVC-002"]
