"""Helpers for the browser tests."""

from __future__ import annotations

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
