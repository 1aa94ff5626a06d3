"""A partner asks for a dataset, an officer approves it narrowed, the partner sees the new grant."""

import re

import pytest

from contracts.models import DataUsePermission, GrantRequest

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_partner_asks_officer_narrows_partner_sees_the_grant(world, open_page, sign_in, shoot):
    partner = sign_in(open_page(), world.partner)
    partner.get_by_role("link", name="Grant requests").first.click()
    partner.get_by_role("link", name="ask for a new dataset").click()
    partner.get_by_label("Dataset").select_option(label=str(world.personal_dataset))
    partner.get_by_label("Why the data is needed").fill("Hospital wait-time dashboard on the provincial portal.")
    partner.get_by_label("Read").check()
    partner.get_by_label("Aggregate").check()
    partner.get_by_label("Derive").check()
    partner.get_by_label("Public benefit").check()
    partner.get_by_label("Valid until").fill("2028-06-30T00:00")
    partner.get_by_label("Quota", exact=True).fill("5000")
    partner.get_by_role("button", name="Send the request").click()
    partner.wait_for_url(re.compile(r"/grant-requests/\d+/$"))
    grant_request = GrantRequest.objects.get()
    assert (grant_request.status, grant_request.actions) == ("pending", ["aggregate", "derive", "read"])
    assert partner.locator("#request-status").inner_text() == "Pending decision"
    shoot(partner, "grant-request-filed")

    officer = sign_in(open_page(), world.officer)
    officer.goto(f"/grant-requests/{grant_request.pk}/")
    officer.get_by_role("link", name="Decide").click()
    approve = officer.locator("#approve-form")
    # The form holds what was asked; the officer narrows it before approving.
    assert approve.get_by_label("Derive").is_checked()
    approve.get_by_label("Derive").uncheck()
    approve.get_by_label("Quota", exact=True).fill("2000")
    shoot(officer, "grant-request-decide", phone=False)
    approve.get_by_role("button", name="Approve").click()
    officer.wait_for_url(re.compile(rf"/grant-requests/{grant_request.pk}/$"))
    assert officer.locator("#request-status").inner_text() == "Approved narrowed"

    grant = DataUsePermission.objects.get(agreement=world.agreement, dataset=world.personal_dataset)
    assert (grant.actions, grant.quota_count) == (["aggregate", "read"], 2000)
    assert grant.versions.get().grant_request.pk == grant_request.pk

    partner.reload()
    assert partner.locator("#request-status").inner_text() == "Approved narrowed"
    assert partner.locator("#approved-words li").first.inner_text().endswith("to: read, aggregate.")
    shoot(partner, "grant-request-approved")
    partner.locator("#grant-link").click()
    partner.wait_for_url(re.compile(rf"/grants/{grant.pk}/$"))
    words = partner.locator("#h-words + ul").inner_text()
    assert f"may use the dataset “{world.personal_dataset.name}” to: read, aggregate." in words
    assert "Up to 2,000 records per month." in words
