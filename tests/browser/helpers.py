"""Helpers for the browser tests."""

from __future__ import annotations

import threading
import time


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Wait until ``expression`` is truthy in the page.

    Playwright's wait_for_function polls with eval, which the pages' Content-Security-Policy
    forbids; page.evaluate is not affected.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def type_card(page, keys: str, *fields: str) -> None:
    """Type a card with the keyboard only: the fold code, then each field after a Tab."""
    page.keyboard.type(keys)
    for value in fields:
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)


def log_in(page, username: str) -> None:
    """Log in as ``username`` (a persona of tests/conftest.py) through the login page."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-password")
    with page.expect_navigation():  # to the page after the login page
        page.click("button[type=submit]")


def wait_for_offline_copy(page) -> None:
    """Wait until the offline worker runs and the page is kept for a reload offline."""
    wait_until(
        page,
        "navigator.serviceWorker.ready.then(() => caches.match(location.pathname)).then(Boolean)",
    )


def wait_for_the_live_server() -> None:
    """Wait until the live server has answered every request it is answering."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)
