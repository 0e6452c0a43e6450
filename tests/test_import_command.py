"""manage.py import_cards: the import pages' work from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact
from tests.imports_files import csv_bytes

pytestmark = pytest.mark.django_db

PEOPLE = csv_bytes(
    ["Name", "Company", "Email", "Folds"],
    ["Dana Reyes", "Acme", "dana@acme.io", "795"],
    ["Li Wei", "Hooli", "li@hooli.example", ""],
)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cards", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE)
    return str(path)


def test_a_dry_run_says_what_it_would_do_and_saves_nothing(people, conference):
    Contact.objects.create(name="Li", email="li@hooli.example")
    out, err = run(people, "--conference", conference.slug, "--dry-run")
    assert "  Folds: Folds\n" in out
    assert "2 rows: 1 new, 1 to add to people known before or earlier in the file, 0 to skip" in out
    assert "Dry run: nothing was saved." in out
    assert err == ""
    assert not Card.objects.exists()


def test_it_imports_cards_once(people, conference, alice):
    out, _ = run(people, "--conference", conference.slug, "--user", "alice")
    assert "Imported 2 rows: 2 new, 0 added to people known before or earlier in the file" in out
    cards = {(c.contact.email, c.folds, c.owner) for c in Card.objects.select_related("contact")}
    assert cards == {("dana@acme.io", UL | UR | HALF, alice), ("li@hooli.example", 0, alice)}
    out, _ = run(people, "--conference", conference.slug, "--user", "alice")
    assert "2 skipped as imported before or repeated in the file, or met here already." in out
    assert Card.objects.count() == 2


def test_it_imports_contacts_only(people):
    run(people, "--contacts-only")
    assert Contact.objects.count() == 2
    assert not Card.objects.exists()


def test_row_errors_are_printed_and_nothing_is_saved(tmp_path, conference):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(["Name", "Email"], ["Dana", "dana@acme.io"], ["Li", "li@"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 row") as raised:
        call_command("import_cards", str(path), "--conference", conference.slug, stderr=err)
    assert raised.value.returncode == 1
    assert "Row 3: email: Enter a valid email address." in err.getvalue()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--conference", "nowhere"], "No conference 'nowhere'."),
        (["--contacts-only", "--user", "nobody"], "No user 'nobody'."),
    ],
)
def test_a_target_that_is_not_there_is_an_error(people, args, message):
    with pytest.raises(CommandError, match=message):
        run(people, *args)


def test_a_bad_file_is_an_error(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(CommandError, match="This is a PNG image, not a CSV or vCard file"):
        run(str(path), "--contacts-only")
    with pytest.raises(CommandError, match="No such file or directory"):
        run(str(tmp_path / "missing.csv"), "--contacts-only")


def test_it_needs_a_conference_or_contacts_only(people):
    with pytest.raises(CommandError, match="one of the arguments --conference --contacts-only"):
        run(people)


def test_folds_are_read_with_the_sites_vocabulary_without_a_user(people, conference):
    run(people, "--conference", conference.slug)
    card = Card.objects.get(contact__email="dana@acme.io")
    assert (card.owner, card.priority, card.folds) == (None, 100, UL | UR | HALF)
