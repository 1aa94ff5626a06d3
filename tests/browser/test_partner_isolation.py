"""A partner never sees another partner's agreement, in the list or by its address."""

import pytest

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_partner_never_sees_another_partners_agreement(world, open_page, sign_in, shoot):
    page = sign_in(open_page(), world.partner)
    shoot(page, "partner-home")
    assert page.get_by_role("link", name="ZJ-BOT-001").count() == 1
    assert page.get_by_text("ZJ-SVC-002").count() == 0

    page.goto("/agreements/")
    refs = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert refs == ["ZJ-BOT-001"]
    shoot(page, "partner-agreement-list")

    # Searching for it by reference or title finds nothing either.
    page.goto("/agreements/?q=ZJ-SVC-002")
    assert page.locator("table tbody tr").count() == 0
    assert page.get_by_text("No agreements.").is_visible()

    response = page.goto(f"/agreements/{world.other_agreement.pk}/")
    assert response.status == 404
    assert world.other_agreement.title not in page.content()
    response = page.goto(f"/agreements/{world.other_agreement.pk}/grants/new/")
    assert response.status == 404

    # The other partner sees its own agreement and not this one's grant.
    other = sign_in(open_page(), world.other_partner)
    assert other.goto(f"/grants/{world.permission.pk}/").status == 404
    assert other.goto(f"/agreements/{world.other_agreement.pk}/").status == 200
