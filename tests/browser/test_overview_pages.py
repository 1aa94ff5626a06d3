"""Screenshots of the pages each role starts from, at laptop and phone width."""

import pytest

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_each_role_lands_on_its_own_home_page(world, open_page, sign_in, shoot):
    page = open_page()
    page.goto("/")
    shoot(page, "login")

    sign_in(page, world.auditor)
    assert page.get_by_role("heading", level=1).inner_text() == "Overview"
    page.get_by_label("Search agreements").fill("City brain")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table tbody tr td:first-child").all_inner_texts() == ["ZJ-SVC-002"]
    page.goto("/home/")
    shoot(page, "auditor-home")

    supervisor = sign_in(open_page(), world.supervisor)
    assert supervisor.get_by_role("heading", level=1).inner_text() == "Alert inbox"
    shoot(supervisor, "supervisor-home")
