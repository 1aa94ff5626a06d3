"""A partner declares a use its grant does not allow, sees the form's errors first and,
after the scope check, the alert about it; a supervisor acknowledges and resolves that alert."""

import datetime
import re

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration
from notifications.models import Alert, AlertEvent
from notifications.services.checks import declaration_check
from tests import factories as f

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def last_month():
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def declare_for_marketing(page, world, shoot=None):
    """Fill the declaration form: first with mistakes, then a well-formed but out-of-scope use."""
    start, end = last_month()
    page.goto("/declarations/new/")
    # Only this partner's agreement and the datasets granted to it are offered.
    agreements = page.locator("#id_agreement option").all_inner_texts()
    assert [a for a in agreements if a != "---------"] == [str(world.agreement)]
    datasets = page.locator("#id_dataset option").all_inner_texts()
    assert [d for d in datasets if d != "---------"] == [f"{world.dataset.code} · {world.dataset.name}"]

    page.get_by_label("Agreement").select_option(str(world.agreement.pk))
    page.get_by_label("Dataset").select_option(str(world.dataset.pk))
    page.get_by_label("Period start").fill(str(start))
    page.get_by_label("Period end").fill(str(start - datetime.timedelta(days=1)))
    page.get_by_label("Purpose").select_option("Marketing")
    page.get_by_label("Read").check()
    page.get_by_label("Record count").fill("500")
    page.get_by_role("button", name="Submit the declaration").click()
    error = page.locator(".field.invalid", has=page.locator("#id_period_end")).locator(".field-errors")
    assert error.inner_text() == "The period must not end before it starts."
    assert not UsageDeclaration.objects.exists()
    if shoot:
        shoot(page, "declaration-form-errors")

    page.get_by_label("Period end").fill(str(end))
    page.get_by_role("button", name="Submit the declaration").click()
    page.wait_for_url(re.compile(r"/declarations/\d+/$"))
    return UsageDeclaration.objects.get()


def test_partner_declares_out_of_scope_and_sees_the_alert(world, open_page, sign_in, shoot):
    f.assign(world.officer, world.agreement, "data_security", world.partner_org, "A", contact_name="Wang Fang")
    page = sign_in(open_page(), world.partner)
    declaration = declare_for_marketing(page, world, shoot)
    assert declaration.status == "pending"
    assert page.get_by_text("Not checked yet").is_visible()

    # The scope check runs in a Celery worker; here it runs in-process (its reliability is tested elsewhere).
    assert declaration_check(declaration_id=declaration.pk) is True
    page.reload()
    assert page.locator("#h-check + p + ul").inner_text().startswith("Purpose not permitted")
    shoot(page, "declaration-checked")

    page.get_by_role("link", name="See the alerts about this agreement").click()
    row = page.locator("table tbody tr")
    assert row.count() == 1
    assert "Purpose not permitted" in row.inner_text()
    shoot(page, "partner-alerts")
    row.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Purpose not permitted")
    assert world.partner_org.name in page.locator("#h-facts + dl").inner_text()
    shoot(page, "alert-detail-partner")


def test_supervisor_acknowledges_and_resolves_the_alert(world, open_page, sign_in, shoot):
    f.assign(world.officer, world.agreement, "data_security", world.partner_org, "A", contact_name="Wang Fang")
    partner = sign_in(open_page(), world.partner)
    declaration = declare_for_marketing(partner, world)
    declaration_check(declaration_id=declaration.pk)
    alert = Alert.objects.get(kind="purpose_not_permitted")

    page = sign_in(open_page(), world.supervisor)
    assert page.get_by_role("heading", level=1).inner_text() == "Alert inbox"
    shoot(page, "supervisor-inbox")
    page.get_by_role("link", name="Purpose not permitted").first.click()
    page.wait_for_url(f"**/alerts/{alert.pk}/")
    shoot(page, "alert-detail")

    page.locator("form[action$='/acknowledge/'] textarea").fill("Asked the partner for its marketing plan")
    page.get_by_role("button", name="Acknowledge").click()
    assert page.locator("#alert-status").inner_text() == "Acknowledged"

    # Resolving needs a word on how it was resolved.
    page.get_by_role("button", name="Resolve").click()
    assert page.locator("form[action$='/resolve/'] .field-errors").inner_text() == "Say how it was resolved."
    page.locator("form[action$='/resolve/'] textarea").fill("Use stopped; partner retrained")
    page.get_by_role("button", name="Resolve").click()
    assert page.locator("#alert-status").inner_text() == "Resolved"
    shoot(page, "alert-resolved")
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert list(AlertEvent.objects.filter(alert=alert, actor=world.supervisor).values_list("action", flat=True)) == [
        "acknowledged",
        "resolved",
    ]
