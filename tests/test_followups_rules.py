from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

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


def test_it_fills_placeholders_and_leaves_unknown_ones():
    assert followups.fill(
        "Hi {first_name} from {company}, {oops}", {"first_name": "Dana", "company": "Acme"}
    ) == ("Hi Dana from Acme, {oops}")


@pytest.mark.parametrize("template", ["Hi {", "Hi {0}", "Hi {name.attr}", "}{"])
def test_a_broken_template_is_sent_as_written(template):
    assert followups.fill(template, {"name": "Dana"}) == template


def test_it_builds_a_mailto_link():
    link = followups.mailto("dana@acme.io", "Hello & welcome", "Line 1\nLine 2")
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "dana@acme.io"
    assert parse_qs(parts.query) == {"subject": ["Hello & welcome"], "body": ["Line 1\nLine 2"]}


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+1 555", "-2+3", "@cmd", "\tx", "\rx"])
def test_it_neutralizes_formula_triggers(cell):
    assert followups.neutralize(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Dana", "", "1+1", " =x"])
def test_it_leaves_plain_text_alone(cell):
    assert followups.neutralize(cell) == cell


@pytest.mark.parametrize(
    ("priority", "expected"), [(100, 1), (50, 3), (20, 5), (5, 7), (0, 9), (-5, 9)]
)
def test_it_maps_priority_to_icalendar(priority, expected):
    assert followups.ical_priority(priority) == expected
