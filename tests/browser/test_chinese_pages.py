"""Pages in Simplified Chinese: chosen from the browser's language, and switchable."""

import pytest

pytestmark = [pytest.mark.needs_browser, pytest.mark.django_db(transaction=True)]


def test_a_chinese_browser_gets_chinese_pages_and_can_switch(world, open_page, shoot):
    page = open_page(locale="zh-CN")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).inner_text() == "登录"
    shoot(page, "login-zh")
    page.fill("#id_username", world.officer.username)
    page.fill("#id_password", "correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")

    page.goto(f"/agreements/{world.agreement.pk}/")
    body = page.locator("main").inner_text()
    assert "责任矩阵" in body  # Responsibility matrix
    assert "建设-运营-移交" in body  # the BOT model's label from the code list
    assert "1,000,000.00 CNY" in body  # numbers in the locale's format
    shoot(page, "agreement-detail-zh")

    page.goto(f"/grants/{world.permission.pk}/")
    assert "每月" in page.locator("main").inner_text()
    shoot(page, "grant-detail-zh")

    # Switch to English from the header; the choice sticks across pages.
    page.get_by_label("语言").select_option("en")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/agreements/")
    assert page.get_by_role("heading", level=1).inner_text() == "Agreements"
