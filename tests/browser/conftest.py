"""Browser tests: Playwright for Python driving Debian's Chromium, headless.

The browser's path comes from FOLDCARD_CHROMIUM (default /usr/bin/chromium). Without it
the tests are skipped on a developer machine and fail under CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import log_in, wait_for_the_live_server

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# are still plain synchronous calls against the live server's database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.getenv("FOLDCARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A generated camera picture for the booth's webcam snapshot.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (set FOLDCARD_CHROMIUM)"
        if os.getenv("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def close(context) -> None:
    """Close the browser's pages, then wait for the live server to answer what they asked.

    A page's own requests (an outbox sync, the offline worker's fetch) may still be running
    in the server when a test ends; the test database is emptied only after they are done.
    """
    context.close()
    wait_for_the_live_server()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    yield context
    close(context)


@pytest.fixture
def phone(browser, live_server):
    """Return a page on a phone: 390 by 844 CSS pixels (an iPhone 12 to 15)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    close(context)


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def logged_in(page, alice):
    """Return the page after logging in as alice through the login page."""
    log_in(page, "alice")
    return page
