from __future__ import annotations

from datetime import date

import pytest

from contacts import followups

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 11, 26), "overdue"),
        (date(2026, 11, 27), "today"),
        (date(2026, 11, 28), "week"),
        (date(2026, 12, 4), "week"),
        (date(2026, 12, 5), "later"),
    ],
)
def test_it_buckets_due_dates_relative_to_today(due, expected):
    assert followups.bucket(due, TODAY) == expected
