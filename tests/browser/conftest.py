"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, and Django refuses sync ORM
calls from a thread with a running loop; the tests build data with the ORM between
browser steps, which is safe here (one thread uses the test database at a time).
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR") or "var/screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.services import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(locale="en-GB", viewport=LAPTOP) -> a fresh page (own cookies) on the live server."""
    contexts = []

    def make(locale="en-GB", viewport=LAPTOP):
        context = browser.new_context(locale=locale, viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in():
    def do(page, user):
        page.goto("/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/home/")
        return page

    return do


@pytest.fixture
def shoot(screenshot_dir):
    """shoot(page, name): a full-page screenshot at the page's size, and one at phone width."""

    def do(page, name, phone=True):
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
        if phone:
            size = page.viewport_size
            page.set_viewport_size(PHONE)
            page.screenshot(path=str(screenshot_dir / f"{name}-phone.png"), full_page=True)
            page.set_viewport_size(size)

    return do
