"""An officer registers an agreement and grants a permission, in a real browser."""

import re

import pytest

from contracts.models import Agreement, DataUsePermission

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_officer_creates_an_agreement_and_grants_a_permission(world, open_page, sign_in, shoot):
    page = sign_in(open_page(), world.officer)
    shoot(page, "officer-home")

    page.get_by_role("link", name="Register an agreement").first.click()
    page.get_by_label("Reference").fill("ZJ-PPP-900")
    page.get_by_label("Title").fill("Smart water supply")
    page.get_by_label("Model").select_option("BOT")
    page.get_by_label("Partner party").select_option(label=world.partner_org.name)
    page.get_by_label("Starts on").fill("2026-01-01")
    # The end before the start: the service's refusal appears beside the field, nothing is stored.
    page.get_by_label("Ends on").fill("2025-12-31")
    page.get_by_label("Value").fill("2500000")
    page.get_by_role("button", name="Register").click()
    error = page.locator(".field.invalid", has=page.locator("#id_ends_on"))
    assert error.locator(".field-errors").inner_text() == "The end date must not be before the start date."
    assert not Agreement.objects.filter(reference="ZJ-PPP-900").exists()
    shoot(page, "agreement-form-errors")

    page.get_by_label("Ends on").fill("2036-12-31")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/agreements/\d+/$"))
    agreement = Agreement.objects.get(reference="ZJ-PPP-900")
    assert (agreement.status, agreement.partner_id, agreement.created_by_id) == ("draft", world.partner_org.pk, world.officer.pk)
    assert page.get_by_role("heading", level=1).inner_text().startswith("ZJ-PPP-900 · Smart water supply")

    page.get_by_role("link", name="Grant a permission").click()
    page.get_by_label("Dataset").select_option(label=str(world.dataset))
    page.get_by_role("button", name="Grant").click()
    # No action or purpose chosen: the service's field errors show inline.
    assert "Grant at least one action." in page.locator("#id_actions_error").inner_text()
    assert not DataUsePermission.objects.filter(agreement=agreement).exists()

    page.get_by_label("Read").check()
    page.get_by_label("Aggregate").check()
    page.get_by_label("Provide official statistics").check()
    page.get_by_label("Valid until").fill("2027-06-30T00:00")
    page.get_by_label("Quota", exact=True).fill("50000")
    page.get_by_role("button", name="Grant").click()
    page.wait_for_url(re.compile(r"/grants/\d+/$"))
    grant = DataUsePermission.objects.get(agreement=agreement)
    assert (grant.dataset_id, grant.actions, grant.purposes, grant.quota_count) == (
        world.dataset.pk, ["aggregate", "read"], ["ProvideOfficialStatistics"], 50000
    )
    words = page.locator("#h-words + ul").inner_text()
    assert f"may use the dataset “{world.dataset.name}” to: read, aggregate." in words
    assert "Up to 50,000 records per month." in words
    shoot(page, "grant-detail")

    page.goto(f"/agreements/{agreement.pk}/")
    shoot(page, "agreement-detail")
