"""Bulk actions on the follow-up list: many follow-ups in one request, with one undo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact
from events.models import Conference
from tests.test_followups import JSON, TODAY, URL, today  # noqa: F401 (today: a fixture)

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # an id larger than any a database keeps


def bulk(action: str) -> str:
    return reverse("contacts-followup-bulk", args=[action])


def chosen(*cards: Card, **data: str) -> dict:
    """Return the list's form data choosing ``cards`` as the list showed them."""
    return {
        "cards": [str(card.pk) for card in cards],
        **{f"version-{card.pk}": str(card.version) for card in cards},
        "next": URL,
        **data,
    }


def states(*cards: Card) -> list[tuple]:
    for card in cards:
        card.refresh_from_db()
    return [(c.state, c.snoozed_until, c.outcome, c.owner_id) for c in cards]


def test_it_marks_every_chosen_follow_up_done_in_one_request(client, alice, make_card):
    cards = [make_card(UR, name=f"Person {n}") for n in range(3)]
    client.force_login(alice)
    response = client.post(bulk("done"), chosen(*cards, outcome="Called"), follow=True)
    assert "Marked 3 follow-ups done." in response.content.decode()
    assert states(*cards) == [("done", None, "Called", alice.pk)] * 3
    assert {card.state_changed_by for card in cards} == {alice}


@pytest.mark.parametrize(
    ("action", "data", "expected", "said"),
    [
        ("drop", {"outcome": "Not a fit"}, ("dropped", None, "Not a fit"), "Dropped 2"),
        ("snooze", {"days": "7"}, ("snoozed", TODAY + timedelta(days=7), ""), "until Fri 4 Dec"),
        ("snooze", {"until": "2026-12-24"}, ("snoozed", date(2026, 12, 24), ""), "until Thu 24"),
    ],
)
def test_it_drops_and_snoozes_many(client, alice, make_card, action, data, expected, said):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    client.force_login(alice)
    response = client.post(bulk(action), chosen(*cards, **data), follow=True)
    assert said in response.content.decode()
    assert states(*cards) == [(*expected, alice.pk)] * 2


def test_a_manager_hands_many_to_someone_and_undoes_it(client, alice, bob, make_card):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    client.force_login(alice)
    body = client.post(bulk("assign"), chosen(*cards, owner=str(bob.pk)), **JSON).json()
    assert body["message"] == "Handed 2 follow-ups to bob."
    assert [owner for *_, owner in states(*cards)] == [bob.pk, bob.pk]
    undo = body["undo"]
    assert client.post(undo["url"], {**undo["data"], "next": URL}, **JSON).status_code == 200
    assert [owner for *_, owner in states(*cards)] == [alice.pk, alice.pk]


def test_no_one_is_handed_many_without_a_role(client, alice, charlie, make_card):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    client.force_login(alice)
    response = client.post(bulk("assign"), chosen(*cards, owner=str(charlie.pk)), **JSON)
    assert response.status_code == 400
    assert [owner for *_, owner in states(*cards)] == [alice.pk, alice.pk]


def test_booth_staff_cannot_hand_many_over_by_undoing(client, alice, bob, make_card):
    cards = [make_card(UR, name=f"Person {n}", owner=bob, state="done") for n in range(2)]
    form = {"previous-TOTAL_FORMS": "2", "previous-INITIAL_FORMS": "0", "next": URL}
    for n, card in enumerate(cards):
        form.update({f"previous-{n}-card": str(card.pk), f"previous-{n}-state": "open"})
        form[f"previous-{n}-owner"] = str(bob.pk)
        form[f"previous-{n}-version"] = str(card.version)
    client.force_login(bob)
    handing = {**form, "previous-1-owner": str(alice.pk)}
    response = client.post(reverse("contacts-followup-restore-many"), handing, **JSON)
    assert response.status_code == 403
    assert states(*cards) == [("done", None, "", bob.pk)] * 2
    assert client.post(reverse("contacts-followup-restore-many"), form).status_code == 302
    assert states(*cards) == [("open", None, "", bob.pk)] * 2


def test_one_undo_puts_back_every_card_the_bulk_action_changed(client, alice, make_card):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme")
    seed = make_card(UL | UR | HALF, contact=dana, outcome="voicemail")
    sibling = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY)
    sam = make_card(UR, name="Sam Lee")
    before = states(seed, sibling, sam)
    client.force_login(alice)
    body = client.post(bulk("done"), chosen(seed, sam, outcome="ok"), **JSON).json()
    assert body["message"] == ("Marked 2 follow-ups done, with 1 other card of the same people.")
    assert set(body["rows"]) == {str(seed.pk), str(sam.pk)}
    assert 'data-others="1"' in body["rows"][str(seed.pk)]
    assert body["counts"]["total"] == 0
    assert body["counts"]["buckets"] == dict.fromkeys(body["counts"]["buckets"], 0)
    assert [state for state, *_ in states(seed, sibling, sam)] == ["done"] * 3
    undo = body["undo"]
    assert undo["url"] == reverse("contacts-followup-restore-many")
    answer = client.post(undo["url"], {**undo["data"], "next": URL}, **JSON).json()
    assert answer["message"] == "Put 3 cards back as they were."
    assert answer["counts"]["total"] == 2 and "undo" not in answer
    assert states(seed, sibling, sam) == before


def test_an_undo_without_javascript_goes_back_with_a_message(client, alice, make_card):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    client.force_login(alice)
    undo = client.post(bulk("drop"), chosen(*cards), **JSON).json()["undo"]
    response = client.post(undo["url"], {**undo["data"], "next": URL}, follow=True)
    assert "Put 2 cards back as they were." in response.content.decode()
    assert [state for state, *_ in states(*cards)] == ["open", "open"]


def test_cards_someone_else_may_not_work_are_skipped_and_said(client, bob, alice, make_card):
    bobs = make_card(UR, name="Bobs Lead", owner=bob)
    alices = make_card(UR, name="Alices Lead")
    client.force_login(bob)
    body = client.post(bulk("done"), chosen(bobs, alices), **JSON).json()
    assert body["message"] == "Marked 1 follow-up done."
    assert body["skipped"] == [
        {
            "id": alices.pk,
            "name": "Alices Lead, Acme",
            "reason": "it is followed up by alice: only they or a manager may work it",
        }
    ]
    assert [state for state, *_ in states(bobs, alices)] == ["done", "open"]


def test_a_card_changed_after_the_list_was_loaded_is_skipped_and_said(client, alice, make_card):
    stale = make_card(UR, name="Changed Meanwhile")
    fresh = make_card(UR, name="Untouched")
    seen = chosen(stale, fresh)
    # Someone else snoozes it between the list's loading and the bulk action.
    services.work_followup(stale, alice, "snooze", days=1)
    client.force_login(alice)
    response = client.post(bulk("done"), seen, follow=True)
    html = response.content.decode()
    assert "Marked 1 follow-up done." in html
    assert (
        "Left as they were: Changed Meanwhile, Acme: someone changed it after you loaded "
        "the list." in html
    )
    assert [state for state, *_ in states(stale, fresh)] == ["snoozed", "done"]


def test_an_edit_at_the_booth_counts_as_a_change(client, alice, make_card):
    card = make_card(UR, name="Edited")
    seen = chosen(card)
    Card.objects.filter(pk=card.pk).update(version=card.version + 1)
    client.force_login(alice)
    body = client.post(bulk("drop"), seen, **JSON).json()
    assert body["message"] == "Dropped 0 follow-ups." and len(body["skipped"]) == 1
    assert "undo" not in body
    assert states(card)[0][0] == "open"


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("done", {"cards": []}, "cards", "Choose at least one follow-up."),
        ("done", {"cards": ["999999"]}, "cards", "999999 is not a card."),
        ("done", {"cards": ["x"]}, "cards", "x is not a card."),
        ("done", {"cards": [HUGE]}, "cards", f"{HUGE} is not a card."),
        ("done", {"outcome": "x" * 5001}, "outcome", "at most 5000 characters"),
        ("snooze", {}, "days", "Choose 1 or 7 days, or a day."),
        ("snooze", {"days": "3"}, "days", "3 is not one of the available choices"),
        ("snooze", {"until": "2026-11-27"}, "until", "Choose a day after today."),
        ("snooze", {"until": "tomorrow"}, "until", "Enter a valid date."),
        ("snooze", {"until": "2099-01-01"}, "until", "a snooze lasts 2 years at most"),
        ("assign", {}, "owner", "Choose who."),
        ("assign", {"owner": "999999"}, "owner", "Select a valid choice."),
        ("done", {"version-{pk}": ""}, "__all__", "did not say which version"),
        ("done", {"version-{pk}": "²"}, "__all__", "did not say which version"),
    ],
)
def test_bad_input_is_a_400_that_says_why_and_changes_nothing(
    client, alice, make_card, action, data, field, message
):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    before = states(*cards)
    form = chosen(*cards)
    for key, value in data.items():
        form[key.format(pk=cards[1].pk)] = value
    client.force_login(alice)
    response = client.post(bulk(action), form, **JSON)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert message in " ".join(error["message"] for error in errors[field])
    assert states(*cards) == before
    response = client.post(bulk(action), form)  # without JavaScript: a page that says why
    assert response.status_code == 400 and "That did not work" in response.content.decode()


def test_a_failure_half_way_saves_nothing(client, alice, bob, make_card, monkeypatch):
    cards = [make_card(UR, name=f"Person {n}") for n in range(3)]
    before = states(*cards)
    real = Card.save
    calls = []

    def fail_on_the_third(card, *args, **kwargs):
        calls.append(card.pk)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(card, *args, **kwargs)

    monkeypatch.setattr(Card, "save", fail_on_the_third)
    client.raise_request_exception = False
    client.force_login(alice)
    response = client.post(bulk("assign"), chosen(*cards, owner=str(bob.pk)))
    assert response.status_code == 500 and len(calls) == 3
    assert states(*cards) == before


def test_only_a_manager_assigns_in_bulk_and_unknown_actions_are_404(client, bob, make_card):
    card = make_card(UR, owner=bob)
    client.force_login(bob)
    assert client.post(bulk("assign"), chosen(card, owner=str(bob.pk))).status_code == 403
    assert client.post(bulk("reopen"), chosen(card)).status_code == 404
    assert client.get(bulk("done")).status_code == 405
    assert states(card)[0][0] == "open"


def test_a_bulk_undo_of_a_card_one_may_not_work_is_refused_whole(client, bob, alice, make_card):
    bobs = make_card(UR, name="Bobs Lead", owner=bob, state="done")
    alices = make_card(UR, name="Alices Lead", state="done")
    form = {"previous-TOTAL_FORMS": "2", "previous-INITIAL_FORMS": "0"}
    for n, card in enumerate((bobs, alices)):
        form.update({f"previous-{n}-card": str(card.pk), f"previous-{n}-state": "open"})
        form[f"previous-{n}-version"] = str(card.version)
    client.force_login(bob)
    assert client.post(reverse("contacts-followup-restore-many"), form).status_code == 404
    assert [state for state, *_ in states(bobs, alices)] == ["done", "done"]


def test_an_undo_of_an_id_no_database_keeps_is_a_400(client, alice, make_card):
    card = make_card(UR, name="Dana Reyes", state="done")
    form = {"previous-TOTAL_FORMS": "1", "previous-INITIAL_FORMS": "0"}
    form.update({"previous-0-card": HUGE, "previous-0-state": "open", "previous-0-version": "0"})
    client.force_login(alice)
    one = reverse("contacts-followup-action", args=[card.pk, "restore"])
    for url in (reverse("contacts-followup-restore-many"), one):
        assert client.post(url, form).status_code == 400
    assert states(card)[0][0] == "done"


def test_the_queries_of_a_bulk_action_do_not_grow_with_the_cards(client, alice, make_card):
    """A bulk action reads the chosen cards and their people's other cards in two queries
    and writes them all in one."""
    client.force_login(alice)

    def queries_for(n: int) -> int:
        cards = [make_card(UR, name=f"Person {n} {i}") for i in range(n)]
        with CaptureQueriesContext(connection) as context:
            assert client.post(bulk("done"), chosen(*cards)).status_code == 302
        assert [state for state, *_ in states(*cards)] == ["done"] * n
        return len(context)

    assert queries_for(1) == queries_for(3) == queries_for(10)


def test_a_bulk_action_takes_each_persons_other_waiting_cards_there_as_one_does(
    client, alice, bob, make_card
):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme")
    shown = make_card(UL | UR | HALF, contact=dana)
    woken = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY - timedelta(days=1))
    later = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY + timedelta(days=3))
    bobs = make_card(UR, contact=dana, owner=bob)
    finished = make_card(UR, contact=dana, state="done", outcome="signed")
    elsewhere = make_card(
        UR,
        contact=dana,
        conference=Conference.objects.create(
            name="Summit", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 2)
        ),
    )
    sam = make_card(UR, name="Sam Lee")
    client.force_login(alice)
    client.post(bulk("drop"), chosen(shown, sam, outcome="Not a fit"))
    assert states(shown, woken, sam) == [("dropped", None, "Not a fit", alice.pk)] * 3
    assert [state for state, *_ in states(later, bobs, finished, elsewhere)] == [
        "snoozed",
        "open",
        "done",
        "open",
    ]
