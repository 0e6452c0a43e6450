"""The conference dashboard's figures: the chart of meanings, how many follow-ups are
handled and done per day, and how many are overdue."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.folds import HALF, UL, UR
from contacts.models import Card, FoldRule, Meaning
from events.models import Conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(client, alice, conference) -> str:
    client.force_login(alice)
    return reverse("events-detail", args=[conference.slug])


def test_a_long_meaning_is_cut_with_an_ellipsis_and_given_whole_on_hover(
    client, dashboard, make_card, vocabulary
):
    label = "Wants more seats next quarter, and asked us to call their purchasing team"
    meaning = Meaning.objects.create(slug="seats", label=label, weight=5, window_days=3)
    FoldRule.objects.create(vocabulary=vocabulary, pattern=HALF | UL).meanings.set([meaning])
    make_card(HALF | UL)
    html = client.get(dashboard).content.decode()
    row = re.search(r'data-meaning="seats".*?</g>', html, re.S).group(0)
    assert f"<title>{label}: 1</title>" in row
    assert ">Wants more seats next q…</text>" in row


def test_overdue_is_counted_by_the_sites_day_as_on_the_follow_up_list(
    client, dashboard, make_card, fixed_today, monkeypatch
):
    # The site's day is 30 November; where the conference is, 1 December already.
    fixed_today(date(2026, 11, 30))
    monkeypatch.setattr(Conference, "today", lambda self: date(2026, 12, 1))
    make_card(HALF, logged_on=date(2026, 11, 29))  # due 30 Nov: today, not overdue
    html = client.get(dashboard).content.decode()
    assert "Nothing overdue." in html


def test_the_overdue_count_opens_the_follow_ups_it_counted(
    client, dashboard, make_card, fixed_today, conference
):
    fixed_today(date(2026, 11, 30))
    late = make_card(UL, name="Ana Ruiz")  # due 27 Nov
    make_card(HALF, logged_on=date(2026, 11, 29))  # due today
    Conference.objects.create(name="Other", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 2))
    make_card(UL, conference=Conference.objects.get(name="Other"))  # overdue elsewhere
    html = client.get(dashboard).content.decode()
    link = re.search(r'href="([^"]+)">1 overdue<', html).group(1)
    listed = client.get(link).content.decode()
    assert re.findall(r'data-card="(\d+)"', listed) == [str(late.pk)]


def test_199_of_200_handled_is_not_100_percent(client, dashboard, make_card):
    card = make_card(UR, state=Card.State.DONE)
    for _ in range(199):
        card.pk, card.client_uuid = None, uuid.uuid4()
        card.save()
    Card.objects.filter(pk=card.pk).update(state=Card.State.OPEN)
    html = client.get(dashboard).content.decode()
    assert "199 of 200 cards handled" in html
    assert 'aria-valuenow="99"' in html and ">99%<" in html


def test_done_per_day_says_none_yet_when_nothing_was_done(
    client, dashboard, make_card, fixed_today
):
    fixed_today(date(2026, 11, 24))
    make_card(UR)
    html = client.get(dashboard).content.decode()
    assert "Done per day since the conference" in html
    assert "None yet." in html and "data-done-chart" not in html
    make_card(
        UR,
        state=Card.State.DONE,
        state_changed_at=timezone.make_aware(datetime(2026, 11, 23, 15)),
    )
    html = client.get(dashboard).content.decode()
    assert "None yet." not in html and "data-done-chart" in html
