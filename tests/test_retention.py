"""Each conference's retention of its cards: manage.py apply_retention [--dry-run], the
conference's form and page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import merge, photos, privacy, services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, ContactMerge, EmailBatch, Erasure, Import, SentEmail
from events.models import Conference
from tests import images
from tests.test_erasure import files_in, imported, imported_contacts, log, merged, traces
from webhooks.models import EVENTS, Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo(conference) -> Conference:
    """Expo 2026 (last day Fri 20 Nov 2026), keeping its cards 30 days: through Sun 20 Dec."""
    conference.retention_days = 30
    conference.save()
    return conference


@pytest.fixture
def cards(expo, make_card, alice, media) -> dict[str, Card]:
    photo = photos.process(io.BytesIO(images.jpeg()), len(images.jpeg()))
    data = services.CardInput(folds=UL, name="Olga Open", email="olga@x.example", photo=photo)
    olga = services.log_card(expo, alice, data).card
    SentEmail.objects.create(card=olga, to="olga@x.example", subject="Hi Olga", body="…")
    done = make_card(UR, name="Dora Done", note="signed", state=Card.State.DONE)
    customer = make_card(UL, name="Cleo Customer", consent="customer")
    dropped = make_card(HALF, name="Dirk Dropped", state=Card.State.DROPPED, note="no budget")
    return {"open": olga, "done": done, "customer": customer, "dropped": dropped}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def names() -> set[str]:
    return set(Contact.objects.values_list("name", flat=True))


def test_nothing_goes_before_the_retention_ends(cards, fixed_today):
    fixed_today(date(2026, 12, 20))
    assert run() == "Nothing to remove.\n"
    assert Card.objects.count() == 4


def test_a_retention_of_no_days_keeps_the_cards_through_the_last_day(cards, expo, fixed_today):
    expo.retention_days = 0
    expo.save()
    fixed_today(expo.ends_on)  # the booth is still logging
    assert run() == "Nothing to remove.\n"
    fixed_today(date(2026, 11, 21))
    assert "deleted 2 card(s)" in run()


def test_a_dry_run_says_what_would_go_and_changes_nothing(cards, fixed_today):
    fixed_today(date(2026, 12, 21))
    out = run("--dry-run")
    assert out == (
        "expo-2026: would delete 2 card(s), gone from 2026-12-21; 2 kept (followed up or "
        "existing customers).\n"
    )
    assert Card.objects.count() == 4
    assert not Erasure.objects.exists()


def test_it_deletes_cards_not_followed_up_nor_of_customers(
    cards, fixed_today, media, django_capture_on_commit_callbacks
):
    fixed_today(date(2026, 12, 21))
    photo = cards["open"].photo.name
    assert (media / photo).exists()
    with django_capture_on_commit_callbacks(execute=True):
        out = run()
    assert out.startswith("expo-2026: deleted 2 card(s)")
    assert names() == {"Dora Done", "Cleo Customer"}
    assert not (media / photo).exists()
    assert not SentEmail.objects.exists()
    erasure = Erasure.objects.get()
    assert (erasure.reason, erasure.cards, erasure.conference, erasure.anonymized) == (
        "retention",
        2,
        cards["open"].conference,
        False,
    )
    assert run() == "Nothing to remove.\n"  # daily runs after that find nothing more


def test_a_person_met_elsewhere_keeps_their_other_cards(cards, make_card, fixed_today):
    other = Conference.objects.create(
        name="Next", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2)
    )
    make_card(UL, contact=cards["dropped"].contact, conference=other)
    fixed_today(date(2026, 12, 21))
    run()
    assert "Dirk Dropped" in names()
    assert not Card.objects.filter(pk=cards["dropped"].pk).exists()


def test_a_person_imported_into_the_contacts_stays_without_their_card(
    expo, alice, make_card, fixed_today
):
    imported_contacts(alice, [["Müller", "mueller@example.de", "", ""]])
    mueller = Contact.objects.get()
    make_card(UL, contact=mueller)
    make_card(UR, name="Met Here")
    fixed_today(date(2026, 12, 21))
    assert run().startswith("expo-2026: deleted 2 card(s)")
    assert names() == {"Müller"} and not Card.objects.exists()


def test_it_anonymizes_when_the_conference_says_so(cards, expo, fixed_today):
    expo.retention_action = "anonymize"
    expo.save()
    added = {"filled": {"title": ["", "CFO"]}, "email": "dirk@x.example"}
    Card.objects.filter(pk=cards["dropped"].pk).update(added=added)
    fixed_today(date(2026, 12, 21))
    assert run("--dry-run").startswith("expo-2026: would anonymize 2 card(s)")
    assert run().startswith("expo-2026: anonymized 2 card(s)")
    assert Card.objects.count() == 4  # the figures stay
    assert names() == {"Dora Done", "Cleo Customer", ""}
    kept = Card.objects.get(pk=cards["dropped"].pk)
    assert (kept.folds, kept.state, kept.note, kept.contact.display_name) == (
        HALF,
        "dropped",
        "",
        "Unknown",
    )
    assert kept.anonymized_at is not None and kept.added == {}
    # Nobody is left to contact: an open follow-up leaves the list, dropped.
    was_open = Card.objects.get(pk=cards["open"].pk)
    assert (was_open.state, was_open.outcome, was_open.state_changed_by) == ("dropped", "", None)
    assert Contact.objects.filter(email="olga@x.example").count() == 0
    assert not SentEmail.objects.exists()
    assert run() == "Nothing to remove.\n"
    assert Erasure.objects.get().anonymized


def test_a_conference_without_retention_keeps_everything(cards, expo, fixed_today):
    expo.retention_days = None
    expo.save()
    fixed_today(date(2036, 1, 1))
    assert run() == "Nothing to remove.\n"
    assert Card.objects.count() == 4


PEOPLE = [
    ("Ada Lind", "ada@lind.example"),
    ("Bo Berg", "bo@berg.example"),
    ("Cy Dahl", "cy@dahl.example"),
]


def test_it_forgets_each_person_removed_everywhere(
    expo, alice, media, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(owner=alice, url="https://example.org/hook", events=[*EVENTS])
    li = log(expo, alice, name="Li Wei", email="li@hooli.example", consent="customer").contact
    sam = log(expo, alice, name="Sam Lee", email="sam@initech.example", consent="customer")
    people = [log(expo, alice, name=name, email=email).contact for name, email in PEOPLE]
    merges = []
    for person in people:
        into_li = merged(li, person, alice, name="other")  # told of Li under their name
        into_sam = merged(sam.contact, li, alice)  # Li as she was, holding their details
        merge.undo(into_sam, alice)
        merge.undo(into_li, alice)
        merges += [into_li, into_sam]
    problems = [f"{name}: mailbox full" for name, _ in PEOPLE]
    EmailBatch.objects.create(created_by=alice, problems=[*problems, "Li: no"])
    upload = imported(expo, alice, [[name, email, "", ""] for name, email in PEOPLE])
    Import.objects.filter(pk=upload.pk).update(problems=[*problems, "Row 9: no folds"])
    theirs = imported(expo, alice, [["Sam Lee", "sam@initech.example", "", ""]])

    with django_capture_on_commit_callbacks(execute=True):
        privacy.apply_retention(expo)

    needles = [value for person in PEOPLE for value in person]
    assert traces(media, *needles) == []
    assert set(Contact.objects.values_list("name", flat=True)) == {"Li Wei", "Sam Lee"}
    assert EmailBatch.objects.get().problems == ["Li: no"]
    upload.refresh_from_db()
    assert (upload.state, upload.file.name, upload.sample) == ("failed", "", [])
    assert upload.problems == ["Row 9: no folds"]
    theirs.refresh_from_db()
    assert theirs.file.name in files_in(media)
    assert [row["name"] for row in theirs.sample] == ["Sam Lee"]
    for done in ContactMerge.objects.filter(pk__in=[m.pk for m in merges]):
        assert done.merged == {}
        assert done.kept_before["name"] in ("Li Wei", "Sam Lee")
    told = Delivery.objects.filter(event="contact.merged")
    assert [d.payload["data"]["contact"]["name"] for d in told] == ["Sam Lee"] * 3


def crowd(count: int, alice) -> Conference:
    """Return a conference past its retention with ``count`` people to remove, each with a
    card, an email and a phone, named in an email batch and in a kept import."""
    expo = Conference.objects.create(
        name=f"Expo for {count}",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 3),
        retention_days=30,
    )
    people = [(f"Person {count}-{n}", f"p{count}-{n}@x.example") for n in range(count)]
    for n, (name, email) in enumerate(people):
        log(expo, alice, name=name, email=email, phone=f"+46 8 555 {count:02} {n:02}")
    EmailBatch.objects.create(created_by=alice, problems=[f"{name}: full" for name, _ in people])
    imported(expo, alice, [[name, email, "", ""] for name, email in people])
    return expo


def queries_removing(conference: Conference) -> int:
    """Return the number of queries the conference's retention runs."""
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        privacy.apply_retention(conference)
    return len(queries)


def test_the_queries_do_not_grow_with_the_people_removed(alice, media):
    few, many = crowd(2, alice), crowd(6, alice)
    assert queries_removing(few) == queries_removing(many)
    assert not Contact.objects.exists()


def test_the_plan_counts_what_goes_and_stays(cards, expo):
    plan = privacy.retention_plan(expo)
    assert (plan.removed, plan.kept) == (2, 2)


def test_the_conference_page_says_when_its_cards_go(client, alice, expo):
    client.force_login(alice)
    html = client.get(expo.get_absolute_url()).content.decode()
    assert "are kept 30 days after the conference, and deleted from Mon 21 Dec 2026." in html
    expo.retention_days = None
    expo.save()
    html = client.get(expo.get_absolute_url()).content.decode()
    assert "No retention period" in html


DAYS = {"name": "Kiwi Expo", "starts_on": "2026-11-18", "ends_on": "2026-11-20"}


def test_the_conference_form_sets_the_retention(client, alice, conference):
    client.force_login(alice)
    url = reverse("events-edit", args=[conference.slug])
    data = {**DAYS, "time_zone": "UTC", "retention_days": "90", "retention_action": "anonymize"}
    assert client.post(url, data).status_code == 302
    conference.refresh_from_db()
    assert (conference.retention_days, conference.retention_action) == (90, "anonymize")
    assert conference.retention_ends == date(2027, 2, 19)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"retention_days": "-1"}, "greater than or equal to 0"),
        ({"retention_days": "4000"}, "less than or equal to 3650"),
        ({"retention_days": "soon"}, "Enter a whole number"),
        ({"retention_days": "30", "retention_action": "burn"}, "Select a valid choice"),
    ],
)
def test_a_bad_retention_is_a_400(client, alice, conference, data, message):
    client.force_login(alice)
    url = reverse("events-edit", args=[conference.slug])
    response = client.post(url, {**DAYS, "time_zone": "UTC", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    conference.refresh_from_db()
    assert conference.retention_days is None
