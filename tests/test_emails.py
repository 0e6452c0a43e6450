from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from contacts import emails


def test_it_fills_placeholders_and_leaves_unknown_ones():
    assert emails.fill(
        "Hi {first_name} from {company}, {oops}", {"first_name": "Dana", "company": "Acme"}
    ) == ("Hi Dana from Acme, {oops}")


@pytest.mark.parametrize(
    "template",
    ["Hi {", "Hi {0}", "Hi {name.attr}", "}{", "Hi {name[x]}", "Hi {name!r}", "Hi {name:>9}"],
)
def test_what_is_not_a_placeholder_is_sent_as_written(template):
    assert emails.fill(template, {"name": "Dana"}) == template


def test_a_placeholder_may_be_doubled_and_spaced_and_stands_beside_a_lone_brace():
    assert emails.fill("{ {{ name }}, {name} }", {"name": "Dana"}) == "{ Dana, Dana }"


def test_it_names_what_looks_like_a_misspelt_placeholder():
    template = "Hi {frist_name}, {{ conferense }} {name} {first_name} {frist_name}"
    assert emails.unknown_placeholders(template) == ["conferense", "frist_name"]


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Dana Reyes", "Dana"),
        ("Reyes, Carla", "Carla"),
        ("Dana Reyes, PhD", "Dana"),
        ("Dr. Karin Holm", "Karin"),
        ("Dr. Holm", "Dr. Holm"),
        ("Cher", "Cher"),
        ("", ""),
    ],
)
def test_the_first_name_is_the_first_word_of_the_given_name_no_title(name, first):
    assert emails.first_name(name) == first


@pytest.mark.django_db
def test_every_placeholder_said_is_filled(make_card):
    assert tuple(emails.placeholder_values(make_card(0))) == emails.PLACEHOLDERS


@pytest.mark.parametrize(
    "template",
    [
        "Hi {",
        "{{",
        "}{",
        '{"a": [1, {"b": 2}]}',
        "Hi {0}",
        "{name2}",
        "{name.attr}",
        "{ {{ note }} }",
    ],
)
def test_braces_that_are_no_placeholder_word_are_not_taken_for_one(template):
    assert emails.unknown_placeholders(template) == []


def test_it_builds_a_mailto_link():
    link = emails.mailto("dana@acme.io", "Hello & welcome", "Line 1\nLine 2")
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "dana@acme.io"
    assert parse_qs(parts.query) == {"subject": ["Hello & welcome"], "body": ["Line 1\nLine 2"]}
