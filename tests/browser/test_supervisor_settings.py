"""Screenshots of the supervisor's settings pages: silences, channels (with "send test"), escalation."""

import pytest

from notifications.models import Channel, Silence

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_silences_and_tests_a_channel(world, open_page, sign_in, shoot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = sign_in(open_page(), world.supervisor)
    page.get_by_role("link", name="Silences").click()
    page.get_by_role("link", name="New silence").click()
    page.get_by_label("Alert kind").select_option("quota_exceeded")
    page.get_by_role("button", name="Create the silence").click()
    assert page.locator(".field.invalid", has=page.locator("#id_reason")).locator(".field-errors").inner_text()
    assert not Silence.objects.exists()
    page.get_by_label("Reason").fill("Planned data migration this weekend")
    page.get_by_role("button", name="Create the silence").click()
    page.wait_for_url("**/silences/")
    assert Silence.objects.get().matchers == {"kind": "quota_exceeded"}
    shoot(page, "silences")

    page.get_by_role("link", name="Channels").click()
    page.get_by_label("Kind").select_option("email")
    page.get_by_label("Name").fill("Duty desk")
    page.get_by_label("Address or URL").fill("desk@example.test")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Send test").click()
    assert page.locator(".messages").inner_text() == "Test sent to Duty desk: delivered."
    assert Channel.objects.get().owner == world.supervisor
    shoot(page, "channels")

    page.get_by_role("link", name="Escalation").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Escalation policies"
    shoot(page, "escalation")
