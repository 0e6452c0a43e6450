"""Erasing a person (contacts.privacy.erase_person, the contact page's Erase, manage.py
erase_person), and exporting a person's data for an access request."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date

import pytest
import vobject
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.urls import reverse

from contacts import imports, merge, photos, privacy, services
from contacts.folds import UL, UR
from contacts.models import (
    Card,
    Contact,
    ContactMerge,
    EmailBatch,
    Erasure,
    Import,
    ImportedRow,
    SentEmail,
    StackPhoto,
)
from events.models import Conference
from tests import images
from tests.imports_files import csv_bytes
from webhooks.models import EVENTS, Delivery, Endpoint

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Dana Reyes", "dana@acme.io", "+46 8 555 01 01"


@pytest.fixture
def other_conference(alice) -> Conference:
    return Conference.objects.create(
        name="Nordic Expo", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 3)
    )


def log(conference, user, **fields) -> Card:
    """Log a card with its photo, as the booth does."""
    photo = photos.process(io.BytesIO(images.jpeg()), len(images.jpeg()))
    data = services.CardInput(folds=UL | UR, photo=photo, **fields)
    return services.log_card(conference, user, data).card


@pytest.fixture
def dana(media, conference, other_conference, alice) -> Contact:
    """A person met at two conferences, leaving traces everywhere foldcard keeps some."""
    Endpoint.objects.create(owner=alice, url="https://example.org/hook", events=[*EVENTS])
    card = log(
        conference,
        alice,
        name=NAME,
        company="Acme",
        email=EMAIL,
        phone=PHONE,
        note=f"{NAME} wants a second region",
        consent="consent",
    )
    again = log(other_conference, alice, name=NAME, email=EMAIL, note="met again")
    contact = card.contact
    contact.notes = "prefers calls"
    contact.save()
    card.reading = {"fields": {"name": {"value": NAME}, "phone": {"value": PHONE}}}
    card.save()
    card.set_state(Card.State.DONE, alice, outcome=f"called {NAME}")
    SentEmail.objects.create(card=again, to=EMAIL, subject=f"Hello {NAME}", body="…")
    EmailBatch.objects.create(created_by=alice, problems=[f"{NAME}: mailbox full", "Li: no"])
    stack = services.add_stack_photo(conference, alice, images.jpeg(), "dana-card.jpg")
    stack.card, stack.reading = card, {"fields": {"email": {"value": EMAIL}}}
    stack.save()
    LogEntry.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=str(contact),
        action_flag=CHANGE,
        change_message=f"Changed email to {EMAIL}",
    )
    return contact


@pytest.fixture
def li(media, conference, alice) -> Card:
    """Someone else, who must keep all they have."""
    return log(conference, alice, name="Li Wei", company="Hooli", email="li@hooli.example")


def merged(kept: Contact, other: Contact, user, **picks: str) -> ContactMerge:
    """Merge ``other`` into ``kept`` as they are now, with the values the page picks first,
    or ``picks``."""
    kept, other = Contact.objects.get(pk=kept.pk), Contact.objects.get(pk=other.pk)
    chosen = {**merge.default_picks(kept, other), **picks}
    return merge.merge(kept, other, merge.MergeInput(chosen, kept.version, other.version), user)


def imported(conference, alice, rows: list[list[str]]) -> Import:
    """Keep a CSV file for import, checked; import it when it has no error."""
    data = csv_bytes(["Name", "Email", "Phone", "Note"], *rows)
    upload = imports.start(SimpleUploadedFile("people.csv", data), conference, alice)
    imports.check_upload(upload)
    return upload


def imported_contacts(alice, rows: list[list[str]]) -> None:
    """Import a CSV file of people into the contacts, as a CRM's people are."""
    upload = imported(None, alice, rows)
    upload.state = Import.State.IMPORTING
    imports.import_upload(upload)
    assert upload.state == Import.State.DONE


def texts_of_every_model() -> list[tuple[str, str]]:
    """Return every text value of every model's table (text, JSON and file name columns),
    as (table, text): a model added later is searched too."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.FileField
            )
        ]
        if not fields:
            continue
        for values in model._default_manager.values_list(*fields):
            text = json.dumps(values, ensure_ascii=False, default=str)
            found.append((model._meta.db_table, text.lower()))
    return found


def files_in(media) -> dict[str, bytes]:
    return {str(p.relative_to(media)): p.read_bytes() for p in media.rglob("*") if p.is_file()}


def traces(media, *needles: str) -> list[str]:
    needles = [needle.lower() for needle in needles]
    rows = [table for table, text in texts_of_every_model() if any(n in text for n in needles)]
    files = [
        name
        for name, content in files_in(media).items()
        if any(n.encode() in content.lower() or n in name.lower() for n in needles)
    ]
    return rows + files


def test_the_search_finds_every_trace_before_the_erasure(dana, li, media, conference, alice):
    imported(conference, alice, [[NAME, EMAIL, PHONE, "from the list"]])
    found = set(traces(media, NAME, EMAIL, PHONE))
    assert {
        "contacts_contact",
        "contacts_card",
        "contacts_sentemail",
        "contacts_emailbatch",
        "contacts_stackphoto",
        "contacts_import",
        "django_admin_log",
        "webhooks_delivery",
    } <= found
    assert any(name.startswith("imports/") for name in found)


def test_erasing_leaves_no_personal_data_in_any_table_or_file(
    client, dana, li, media, conference, other_conference, alice, django_capture_on_commit_callbacks
):
    done = imported(conference, alice, [["Sam Lee", "sam@initech.example", "", ""]])
    done.state = Import.State.IMPORTING
    imports.import_upload(done)
    pending = imported(other_conference, alice, [[NAME, EMAIL, PHONE, "from the list"]])
    ImportedRow.objects.create(key="x" * 64, contact=dana, conference=conference, source=done)
    li_files = {li.photo.name, li.thumbnail.name}
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contacts-erase", args=[dana.pk]))

    assert response.status_code == 302
    assert traces(media, NAME, EMAIL, PHONE) == []
    assert set(files_in(media)) == li_files  # the pending import's file is gone too
    erasure = Erasure.objects.get()
    assert (erasure.cards, erasure.erased_by, erasure.reason) == (2, alice, "request")
    # Everyone else keeps what they had.
    assert set(Contact.objects.values_list("name", flat=True)) == {"Li Wei", "Sam Lee"}
    assert li_files <= set(files_in(media))
    assert EmailBatch.objects.get().problems == ["Li: no"]
    pending.refresh_from_db()
    assert (pending.state, pending.file.name) == ("failed", "")
    assert pending.failure == privacy.ERASED_FILE
    assert StackPhoto.objects.count() == 0
    assert not ImportedRow.objects.filter(key="x" * 64).exists()
    # The webhooks are told, with nothing but the person's id.
    told = Delivery.objects.get(event="contact.erased")
    assert told.payload["data"] == {"contact": {"id": dana.pk}}


def test_erasing_forgets_the_people_merged_into_the_person(dana, media, conference, alice):
    gunnar = log(conference, alice, name="Gunnar Ghost", email="gunnar@ghost.example").contact
    ghost = log(conference, alice, name="G. Ghost", email="gg@ghost.example").contact
    merged(gunnar, ghost, alice)  # the webhooks are told of Gunnar, with his details
    LogEntry.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(gunnar.pk),
        object_repr=str(gunnar),
        action_flag=CHANGE,
    )
    merged(dana, gunnar, alice)  # Gunnar's merge moves to Dana with him
    dana = Contact.objects.get(pk=dana.pk)
    services.set_emails(dana, [EMAIL])  # she drops the addresses she took over
    dana.save()

    privacy.erase_person(dana, alice)

    assert traces(media, "Gunnar Ghost", "G. Ghost", "gunnar@", "gg@") == []
    assert not ContactMerge.objects.exists()
    assert list(Delivery.objects.values_list("event", flat=True)) == ["contact.erased"]


def test_erasing_takes_the_person_out_of_a_merge_undone_since(client, dana, li, media, alice):
    done = merged(li.contact, dana, alice, name="other", email="other")
    merge.undo(done, alice)

    privacy.erase_person(Contact.objects.get(pk=dana.pk), alice)

    assert traces(media, NAME, EMAIL, PHONE) == []  # the merge's delivery to Li's CRM too
    done.refresh_from_db()
    assert done.merged == {}
    assert done.kept_before["name"] == "Li Wei"
    client.force_login(alice)
    page = client.get(reverse("contacts-contact", args=[li.contact.pk])).content.decode()
    assert "A person merged in by alice" in page
    response = client.post(reverse("contacts-merge-undo", args=[done.pk]))
    assert response.status_code == 409
    assert "can no longer be undone" in response.content.decode()
    assert list(Contact.objects.values_list("name", flat=True)) == ["Li Wei"]


def test_erasing_takes_a_person_known_by_their_company_alone_out_of_a_merge(li, conference, alice):
    umbrella = log(conference, alice, company="Umbrella", note="call the CFO").contact
    done = merged(li.contact, umbrella, alice)
    merge.undo(done, alice)

    privacy.erase_person(Contact.objects.get(pk=umbrella.pk), alice)

    done.refresh_from_db()
    assert done.merged == {}


def test_erasing_takes_the_person_out_of_a_merge_of_whoever_held_their_details(
    dana, li, media, conference, alice
):
    sam = log(conference, alice, name="Sam Lee", email="sam@initech.example").contact
    into_li = merged(li.contact, dana, alice)  # Li takes Dana's email and phone
    into_sam = merged(sam, li.contact, alice)  # Sam's merge keeps Li as she was, and told so
    merge.undo(into_sam, alice)
    merge.undo(into_li, alice)

    privacy.erase_person(Contact.objects.get(pk=dana.pk), alice)

    assert traces(media, NAME, EMAIL, PHONE) == []
    into_sam.refresh_from_db()
    assert into_sam.merged == {}
    assert into_sam.kept_before["name"] == "Sam Lee"


def test_erasing_deletes_the_photos_in_the_bucket(
    s3_bucket, dana, li, alice, django_capture_on_commit_callbacks
):
    before = s3_bucket.objects()
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(dana, alice)
    assert s3_bucket.objects() == {li.photo.name, li.thumbnail.name}
    assert len(before) == 8  # two cards and a stack photo of Dana's, Li's card


def test_the_erase_page_says_what_goes_and_needs_a_manager(client, dana, bob, alice):
    url = reverse("contacts-erase", args=[dana.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Contact.objects.filter(pk=dana.pk).exists()
    client.force_login(alice)
    html = client.get(url).content.decode()
    assert "2 cards (Nordic Expo" in html
    assert "2 photos" in html and "1 email sent" in html
    assert client.get(reverse("contacts-erase", args=[999])).status_code == 404
    assert client.put(url).status_code == 405


def test_the_message_after_erasing_names_no_one(client, dana, alice):
    client.force_login(alice)
    response = client.post(reverse("contacts-erase", args=[dana.pk]), follow=True)
    html = response.content.decode()
    assert "Erased one person: 2 cards" in html
    assert NAME not in html


def test_the_command_erases_by_email(dana, li, media, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_person", "  Dana@Acme.io ")
    assert "Erased one person: 2 card(s)." in capsys.readouterr().out
    assert traces(media, NAME, EMAIL, PHONE) == []
    assert Erasure.objects.get().erased_by is None


def test_the_command_fails_for_an_unknown_email(li):
    with pytest.raises(CommandError, match="No person has this email"):
        call_command("erase_person", "nobody@example.org")
    assert not Erasure.objects.exists()
    assert Contact.objects.count() == 1


def test_a_failed_erasure_deletes_nothing(dana, media, monkeypatch):
    files = files_in(media)
    pk = dana.pk

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Erasure.objects, "create", fail)
    with pytest.raises(RuntimeError):
        privacy.erase_person(dana)
    assert Card.objects.filter(contact_id=pk).count() == 2
    assert files_in(media) == files


def test_a_persons_data_as_json(client, dana, alice):
    # A card logged from a stack of photos: what was read is the stack photo's.
    again = dana.cards.get(conference__name="Nordic Expo")
    stack = services.add_stack_photo(again.conference, alice, images.jpeg(), "card.jpg")
    stack.card, stack.reading = again, {"fields": {"company": {"value": "Acme"}}}
    stack.save()
    added = {"filled": {"title": ["", "CFO"]}, "phone": "070-123 45 67"}
    Card.objects.filter(pk=again.pk).update(added=added)
    services.set_emails(dana, [EMAIL, "dana.reyes@gmail.example"])
    services.store_phones(dana, [(PHONE, "+4685550101"), ("070-123 45 67", "+46701234567")])
    dana.save()
    client.force_login(alice)
    response = client.get(reverse("contacts-person-json", args=[dana.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{dana.pk}.json"'
    data = json.loads(response.content)
    assert data["person"]["email"] == EMAIL
    assert data["person"]["emails"] == [EMAIL, "dana.reyes@gmail.example"]
    assert data["person"]["phones"] == [PHONE, "070-123 45 67"]
    assert data["person"]["uid"] == dana.uid.urn
    assert data["person"]["notes"] == "prefers calls"
    first, second = data["cards"]  # in the order they were logged
    assert (first["conference"], second["conference"]) == ("Expo 2026", "Nordic Expo")
    assert first["follow_up"]["outcome"] == f"called {NAME}"
    assert first["consent"]["basis"] == "consent"
    assert first["consent"]["recorded_by"] == "alice"
    assert first["meanings"] == ["Wants to buy more", "Customer"]
    assert first["photo"].endswith("/photo.jpg")
    assert second["emails"][0]["subject"] == f"Hello {NAME}"
    assert first["read_from_photo"]["fields"]["name"] == {"value": NAME}
    assert second["read_from_photo"] == {"fields": {"company": {"value": "Acme"}}}
    assert (first["added_to_details"], second["added_to_details"]) == ({}, added)


def test_a_persons_data_as_vcard(client, dana, alice):
    client.force_login(alice)
    response = client.get(reverse("contacts-person-vcf", args=[dana.pk]))
    assert response.status_code == 200
    card = vobject.readOne(response.content.decode())
    assert (card.version.value, card.uid.value, card.email.value) == ("4.0", dana.uid.urn, EMAIL)
    assert "met again" in card.note.value


def test_a_persons_data_needs_a_manager(client, dana, bob):
    client.force_login(bob)
    for name in ("contacts-person-json", "contacts-person-vcf"):
        assert client.get(reverse(name, args=[dana.pk])).status_code == 403


def test_a_persons_data_of_no_one_is_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("contacts-person-json", args=[999])).status_code == 404


def test_the_contact_page_links_managers_to_the_personal_data(client, dana, alice, bob):
    url = reverse("contacts-contact", args=[dana.pk])
    client.force_login(alice)
    assert "data-personal-data" in client.get(url).content.decode()
    client.force_login(bob)
    assert "data-personal-data" not in client.get(url).content.decode()


def test_a_backup_made_after_erasing_holds_nothing_of_the_person(
    dana, li, media, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(dana)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert b"li@hooli.example" in contents["data.json"]
    for name, content in contents.items():
        for needle in (NAME, EMAIL, PHONE):
            assert needle.lower().encode() not in content.lower(), name
    assert len(contents) == 3  # the data and Li's photo and thumbnail
