"""The import pages: upload, preview and column mapping, import, and every kind of bad
file. Tasks run as they are enqueued here; the last test runs the real worker."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, Import, ImportedRow
from tests.imports_files import VCARD_4, csv_bytes, vcard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once", "media")]

PEOPLE = csv_bytes(
    ["First Name", "Last Name", "Organisation", "Email", "Folds"],
    ["Dana", "Reyes", "Acme", "dana@acme.io", "795"],
    ["Li", "Wei", "Hooli", "li@hooli.example", "UR"],
)


def upload_url(conference=None) -> str:
    if conference is None:
        return reverse("contacts-import")
    return reverse("events-import", args=[conference.slug])


def upload(client, data: bytes, conference=None, name: str = "people.csv"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(upload_url(conference), {"file": file})


@pytest.fixture
def manager(client, alice):
    client.force_login(alice)
    return client


def test_the_upload_page_says_what_can_be_imported(manager, conference):
    page = manager.get(upload_url(conference)).content.decode()
    assert "Import cards into Expo 2026" in page
    assert 'type="file"' in page and "HubSpot" in page
    assert "Import contacts" in manager.get(upload_url()).content.decode()


def test_a_file_is_previewed_before_anything_is_saved(manager, conference):
    response = upload(manager, PEOPLE, conference)
    kept = Import.objects.get()
    assert response.status_code == 302 and response.url == kept.get_absolute_url()
    assert (kept.state, kept.rows, kept.new, kept.errors) == ("checked", 2, 2, 0)
    assert kept.mapping == ["first_name", "last_name", "", "email", "folds"]
    page = manager.get(response.url).content.decode()
    assert "2 rows: <strong>2</strong> new" in page
    assert '<tr data-row="2" data-fate="new">' in page
    assert "<td>Dana Reyes</td><td></td><td>dana@acme.io</td><td></td><td>UL UR HALF</td>" in page
    assert '<select name="column_2"' in page
    assert not Contact.objects.exists() and not Card.objects.exists()


def test_changing_a_columns_meaning_checks_the_file_again(manager, conference):
    kept_url = upload(manager, PEOPLE, conference).url
    mapping = {"column_0": "first_name", "column_1": "last_name", "column_2": "company"}
    response = manager.post(kept_url, {**mapping, "column_3": "email", "column_4": "folds"})
    assert response.status_code == 302
    assert Import.objects.get().mapping == ["first_name", "last_name", "company", "email", "folds"]
    page = manager.get(kept_url).content.decode()
    assert "<td>Dana Reyes</td><td>Acme</td><td>dana@acme.io</td>" in page


def test_a_mapping_without_name_company_or_email_is_refused(manager, conference):
    kept_url = upload(manager, PEOPLE, conference).url
    response = manager.post(kept_url, {f"column_{i}": "" for i in range(4)} | {"column_4": "folds"})
    assert response.status_code == 400
    assert "Choose a column for the name, the company or the email." in response.content.decode()
    assert Import.objects.get().mapping[0] == "first_name"


def test_a_mapping_to_something_unknown_is_refused(manager, conference):
    kept_url = upload(manager, PEOPLE, conference).url
    response = manager.post(kept_url, {"column_0": "password"})
    assert response.status_code == 400
    assert "Choose for each column one of the choices offered." in response.content.decode()


def test_importing_makes_the_cards_and_deletes_the_file(manager, conference, alice, media):
    kept_url = upload(manager, PEOPLE, conference).url
    kept = Import.objects.get()
    stored = media / kept.file.name
    assert stored.exists()
    response = manager.post(reverse("contacts-import-run", args=[kept.pk]))
    assert response.status_code == 302 and response.url == kept_url
    cards = {(c.contact.name, c.contact.email, c.folds, c.owner) for c in Card.objects.all()}
    assert cards == {
        ("Dana Reyes", "dana@acme.io", UL | UR | HALF, alice),
        ("Li Wei", "li@hooli.example", UR, alice),
    }
    kept.refresh_from_db()
    assert (kept.state, kept.new, kept.file.name) == ("done", 2, "")
    assert not stored.exists()
    page = manager.get(kept_url).content.decode()
    assert "Imported 2 rows: 2 new, 0 added to people known before or earlier in the file" in page


def test_the_same_file_twice_changes_nothing(manager, conference):
    first = upload(manager, PEOPLE, conference)
    manager.post(reverse("contacts-import-run", args=[Import.objects.get().pk]))
    assert first.status_code == 302
    second = upload(manager, PEOPLE, conference, name="people again.csv")
    again = Import.objects.latest("pk")
    assert (again.new, again.attached, again.skipped) == (0, 0, 2)
    page = manager.get(second.url).content.decode()
    assert page.count('data-fate="skip"') == 2
    manager.post(reverse("contacts-import-run", args=[again.pk]))
    again.refresh_from_db()
    assert (again.state, again.skipped) == ("done", 2)
    assert (Card.objects.count(), Contact.objects.count(), ImportedRow.objects.count()) == (2, 2, 2)


def test_the_preview_and_the_import_say_how_many_rows_skipped_record_a_decline(manager, conference):
    header = ["Name", "Email", "Consent"]
    data = csv_bytes(header, ["Dana", "dana@acme.io", ""], ["Dana", "dana@acme.io", "declined"])
    page = manager.get(upload(manager, data, conference).url).content.decode()
    said = "of them saying the person does not want to be contacted: their cards here"
    assert "<strong>1</strong> skipped as imported before or repeated in the file" in page
    assert f"(<strong>1</strong> {said} will say so)" in page
    kept = Import.objects.get()
    done = manager.post(reverse("contacts-import-run", args=[kept.pk]), follow=True)
    assert f"(1 {said} say so now)" in done.content.decode()
    kept.refresh_from_db()
    assert (kept.skipped, kept.declines) == (1, 1)
    assert Card.objects.get().consent == "declined"


def test_the_preview_shows_each_rows_phone_from_any_of_its_columns(manager, conference):
    data = csv_bytes(
        ["First Name", "Last Name", "Business Phone", "Mobile Phone", "E-mail Address"],
        ["Greta", "Lindqvist", "", "+46 70 123 45 67", "greta@nordkraft.se"],
    )
    page = manager.get(upload(manager, data, conference).url).content.decode()
    assert Import.objects.get().mapping == ["first_name", "last_name", "phone", "phone", "email"]
    assert "<th>Email</th><th>Phone</th>" in page
    assert "<td>greta@nordkraft.se</td><td>+46 70 123 45 67</td>" in page


def test_a_conferences_own_export_uploaded_again_adds_nothing(manager, conference, alice):
    dana = services.CardInput(name="Dana Reyes", email="dana@acme.io", consent="declined")
    services.log_card(conference, alice, dana)
    export = manager.get(reverse("events-export-csv", args=[conference.slug]))
    kept_url = upload(manager, b"".join(export.streaming_content), conference).url
    kept = Import.objects.get()
    assert (kept.new, kept.attached, kept.skipped) == (0, 0, 1)
    page = manager.get(kept_url).content.decode()
    skipped = "skipped as imported before or repeated in the file, or met here already"
    assert f"<strong>1</strong> {skipped}" in page
    assert "skipped: imported before or repeated, or met here already</span>" in page
    manager.post(reverse("contacts-import-run", args=[kept.pk]))
    assert Card.objects.count() == 1


def test_contacts_only_attaches_to_known_people_by_their_email(manager):
    known = Contact.objects.create(name="Dana", email="dana@acme.io")
    data = csv_bytes(
        ["Email", "Company", "Note"], ["  DANA@Acme.IO ", "Acme", "x"], ["n@x.io", "", ""]
    )
    kept_url = upload(manager, data).url
    kept = Import.objects.get()
    assert (kept.conference, kept.new, kept.attached) == (None, 1, 1)
    assert kept.mapping == ["email", "company", ""]  # notes go with cards
    page = manager.get(kept_url).content.decode()
    assert 'data-fate="attach"' in page
    # The preview says what goes with a card, and so is left out.
    assert "Into contacts only, Note is left out" in page
    manager.post(reverse("contacts-import-run", args=[kept.pk]))
    known.refresh_from_db()
    assert (known.name, known.company) == ("Dana", "Acme")
    assert set(Contact.objects.values_list("email", flat=True)) == {"dana@acme.io", "n@x.io"}
    assert not Card.objects.exists()


def test_contacts_only_says_that_it_leaves_out_who_opted_out(manager, conference):
    data = csv_bytes(["Email", "Email Opt Out", "Notes"], ["dale@twinpeaks.example", "1", "x"])
    page = manager.get(upload(manager, data).url).content.decode()
    assert "Into contacts only, Email Opt Out, Notes are left out" in page
    assert "import the file into a conference" in page
    # Into a conference, nothing is.
    into_conference = upload(manager, data, conference).url
    assert "data-left-out" not in manager.get(into_conference).content.decode()
    # A vCard's are its properties.
    vcards = vcard("Dana Reyes", "dana@acme.io", "Acme", folds="795").encode()
    page = manager.get(upload(manager, vcards, name="people.vcf").url).content.decode()
    assert "Into contacts only, NOTE, X-FOLDCARD-FOLDS, X-FOLDCARD-CONSENT are left out" in page


def test_vcards_are_imported_with_their_folds(manager, conference):
    data = (vcard("Dana Reyes", "dana@acme.io", "Acme", folds="795") + VCARD_4).encode()
    upload(manager, data, conference, name="people.vcf")
    kept = Import.objects.get()
    assert (kept.kind, kept.rows, kept.errors) == ("vcard", 2, 0)
    manager.post(reverse("contacts-import-run", args=[kept.pk]))
    cards = {(c.contact.name, c.contact.email, c.folds) for c in Card.objects.all()}
    assert cards == {
        ("Dana Reyes", "dana@acme.io", UL | UR | HALF),
        ("Ana Ruiz", "ana@globex.example", UL | HALF),
    }


def test_rows_with_errors_are_listed_and_nothing_is_imported(manager, conference):
    data = csv_bytes(["Name", "Email", "Folds"], ["Dana", "dana@acme.io", ""], ["Li", "li@", "8"])
    kept_url = upload(manager, data, conference).url
    page = manager.get(kept_url).content.decode()
    assert "Row 3: email: Enter a valid email address." in page
    assert "Row 3: folds: &#x27;8&#x27; is not a fold key" in page
    assert "Correct the 1 row(s) with errors" in page
    assert " disabled>Fix the rows above and upload the file again</button>" in page
    assert "Import 2 rows" not in page
    kept = Import.objects.get()
    response = manager.post(reverse("contacts-import-run", args=[kept.pk]))
    assert response.status_code == 400
    assert "Correct the 1 row(s) with errors" in response.content.decode()
    assert not Contact.objects.exists()
    assert Import.objects.get().state == "checked"


def test_a_file_imported_cannot_be_imported_or_remapped_again(manager, conference):
    kept_url = upload(manager, PEOPLE, conference).url
    run_url = reverse("contacts-import-run", args=[Import.objects.get().pk])
    manager.post(run_url)
    response = manager.post(run_url)
    assert response.status_code == 400
    assert "This file was imported." in response.content.decode()
    response = manager.post(kept_url, {"column_0": "name"})
    assert response.status_code == 400
    assert Card.objects.count() == 2
    # Nor forgotten: its people name it as where they came from.
    response = manager.post(reverse("contacts-import-discard", args=[Import.objects.get().pk]))
    assert response.status_code == 400
    assert "It was imported" in response.content.decode()
    assert Import.objects.get().state == Import.State.DONE


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("card.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a PNG image"),
        ("people.csv", b"PK\x03\x04\x14\x00\x06\x00", "This is a zip archive"),
        ("people.csv", b"Name\x00\x00\x01", "This is not a text file"),
        (
            "people.csv",
            b"Name\n\x81\x8d\x8f\n",
            "This file is not in UTF-8, UTF-16 or Windows-1252",
        ),
        ("people.csv", b"Name|Email\nDana|d@acme.io\n", "separated by commas, semicolons or tabs"),
        ("people.csv", b"Phone,Website\n555,acme.io\n", "No column of this file is a name"),
        ("people.csv", b"", "The submitted file is empty."),
    ],
    ids=["png", "zip", "binary", "encoding", "delimiter", "columns", "empty"],
)
def test_a_bad_file_gets_a_clear_400_and_nothing_is_kept(manager, conference, name, data, message):
    response = upload(manager, data, conference, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Import.objects.exists() and not Contact.objects.exists()


def test_a_bad_file_is_quoted_in_a_short_excerpt(manager, conference):
    response = upload(manager, b"x" * 2_000_000, conference)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"its first line has &quot;{'x' * 79}…&quot;." in page
    assert "x" * 80 not in page
    assert not Import.objects.exists()


def test_a_vcard_that_cannot_be_read_is_quoted_in_a_short_excerpt(manager, conference):
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + b"x" * 5000 + b"\r\n" + b"y" * 5000
    kept_url = upload(manager, data + b"\r\nEND:VCARD\r\n", conference, "people.vcf").url
    page = manager.get(kept_url).content.decode()
    assert "This vCard cannot be read" in page
    assert "y" * 80 not in page


def test_a_file_too_large_is_refused_before_its_body_is_read(manager, conference, settings):
    settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024
    # The body is small; reading past it would fail the request: the view must not read it.
    response = manager.generic(
        "POST",
        upload_url(conference),
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 400
    assert (
        "This file is 200.0\xa0MB; an import can be at most 50.0\xa0MB" in response.content.decode()
    )
    assert not Import.objects.exists()


def test_a_file_just_over_the_limit_is_refused_once_read(manager, conference, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(manager, csv_bytes(["Name"], *[["Dana Reyes"]] * 200), conference)
    assert response.status_code == 400
    assert "an import can be at most 1.0\xa0KB" in response.content.decode()
    assert not Import.objects.exists()


def test_the_upload_checks_the_csrf_token(alice, conference):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = upload(client, PEOPLE, conference)
    assert response.status_code == 403
    assert not Import.objects.exists()


def test_someone_elses_import_is_not_found(client, alice, django_user_model, conference):
    client.force_login(alice)
    kept_url = upload(client, PEOPLE, conference).url
    other = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(other)
    assert client.get(kept_url).status_code == 404
    assert (
        client.post(reverse("contacts-import-run", args=[Import.objects.get().pk])).status_code
        == 404
    )


def test_booth_staff_cannot_import(client, bob, conference):
    client.force_login(bob)
    assert upload(client, PEOPLE, conference).status_code == 403
    assert not Import.objects.exists()


def test_discarding_forgets_the_file(manager, conference, media):
    upload(manager, PEOPLE, conference)
    kept = Import.objects.get()
    stored = media / kept.file.name
    response = manager.post(reverse("contacts-import-discard", args=[kept.pk]))
    assert response.status_code == 302 and response.url == upload_url(conference)
    assert not Import.objects.exists() and not stored.exists()


def test_the_conference_page_links_to_the_import(manager, conference):
    page = manager.get(conference.get_absolute_url()).content.decode()
    assert f'href="{upload_url(conference)}"' in page


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_and_imports_in_the_background(client, alice, conference, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(alice)
    kept_url = upload(client, PEOPLE, conference).url
    page = client.get(kept_url).content.decode()
    assert "Checking every row" in page and 'http-equiv="refresh"' in page
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    kept = Import.objects.get()
    assert (kept.state, kept.new) == ("checked", 2)
    client.post(reverse("contacts-import-run", args=[kept.pk]))
    assert "Importing 2 rows" in client.get(kept_url).content.decode()
    assert not Card.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert Card.objects.count() == 2
    assert Import.objects.get().state == "done"


def test_the_preview_lists_the_errors_of_the_first_hundred_rows(manager, conference):
    data = csv_bytes(["Name", "Email"], *[[f"P{n}", f"p{n}@"] for n in range(103)])
    page = manager.get(upload(manager, data, conference).url).content.decode()
    assert "Row 101: email: Enter a valid email address." in page
    assert "Row 102:" not in page
    assert "and 3 more rows with errors" in page


def test_a_post_without_a_file_is_a_400(manager, conference):
    response = manager.post(upload_url(conference))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_failure_in_the_worker_is_said_on_the_page(manager, conference, monkeypatch):
    kept_url = upload(manager, PEOPLE, conference).url

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("contacts.services.log_cards", broken)
    manager.post(reverse("contacts-import-run", args=[Import.objects.get().pk]))
    page = manager.get(kept_url).content.decode()
    assert "Nothing was imported: something went wrong" in page
    assert not Contact.objects.exists()


def test_a_person_logged_at_the_booth_while_importing_fails_the_import_whole(
    manager, conference, monkeypatch
):
    kept_url = upload(manager, PEOPLE, conference).url
    write_people = services.BatchPeople.save

    def meanwhile(people):
        # Between reading the batch's people and writing them (checking the rows' fates
        # reads them too, but writes nothing).
        Contact.objects.create(name="Li Wei", email="li@hooli.example")  # the booth, now
        write_people(people)

    monkeypatch.setattr("contacts.services.BatchPeople.save", meanwhile)
    manager.post(reverse("contacts-import-run", args=[Import.objects.get().pk]))
    page = manager.get(kept_url).content.decode()
    assert "Nothing was imported: some of these people or rows were saved meanwhile" in page
    assert not Card.objects.exists()
    assert not ImportedRow.objects.exists()


def test_a_file_kept_in_a_bucket_is_imported_and_deleted(manager, conference, s3_bucket):
    upload(manager, PEOPLE, conference)
    kept = Import.objects.get()
    assert kept.state == "checked" and kept.new == 2
    assert kept.file.storage.exists(kept.file.name)
    name = kept.file.name
    manager.post(reverse("contacts-import-run", args=[kept.pk]))
    assert Card.objects.count() == 2
    assert not kept.file.storage.exists(name)
