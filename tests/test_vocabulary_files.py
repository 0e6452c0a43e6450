"""The vocabulary file: export (GET /vocabularies/<id>.json), the import form on the list
page and manage.py import_vocabulary, with files that are wrong or hostile."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from contacts import vocabularies
from contacts.folds import DIAG, HALF, LL, UR
from contacts.models import FoldRule, Meaning, Vocabulary, VocabularyChange
from tests.conftest import user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return user_in(django_user_model, "edna", "Vocabulary editors")


@pytest.fixture
def tuned(vocabulary, editor) -> Vocabulary:
    """The default vocabulary with a few more rules: an empty one (its folds covered, no
    meaning), and one with an inactive meaning."""
    quiet = Meaning.objects.create(slug="quiet", label="Quiet", weight=3, active=False)
    vocabularies.apply_change(
        vocabulary, editor, "rule", None, {"pattern": LL | DIAG, "meanings": []}
    )
    vocabularies.apply_change(
        vocabulary, editor, "rule", None, {"pattern": HALF | DIAG, "meanings": [quiet.slug]}
    )
    return Vocabulary.objects.get(pk=vocabulary.pk)


def decoded(vocabulary: Vocabulary) -> list[tuple]:
    return [
        (d.folds, d.priority, d.window_days, [m.slug for m in d.meanings], d.unmapped)
        for d in vocabulary.table()
    ]


def export(client, vocabulary: Vocabulary) -> bytes:
    response = client.get(reverse("contacts-vocabulary-export", args=[vocabulary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="default.json"'
    return response.content


def upload(client, content: bytes, name: str = ""):
    file = SimpleUploadedFile("vocabulary.json", content, "application/json")
    return client.post(reverse("contacts-vocabulary-import"), {"file": file, "name": name})


def test_the_export_names_folds_by_code_and_meanings_by_slug(client, editor, tuned):
    client.force_login(editor)
    data = json.loads(export(client, tuned))
    assert data["format"] == 1 and data["name"] == "Default"
    assert {"folds": ["UL", "UR"], "meanings": ["customer", "upsell"]} in data["rules"]
    assert {"folds": ["LL", "DIAG"], "meanings": []} in data["rules"]
    assert "quiet" in [m["slug"] for m in data["meanings"]]


def test_an_export_imported_decodes_all_64_combinations_alike(client, editor, tuned):
    client.force_login(editor)
    content = export(client, tuned)
    response = upload(client, content, name="Shared")
    imported = Vocabulary.objects.get(name="Shared")
    assert response.status_code == 302
    assert response.url == reverse("contacts-vocabulary", args=[imported.pk])
    assert decoded(imported) == decoded(tuned)
    assert imported.owner is None
    assert VocabularyChange.objects.get(vocabulary=imported).changed_by == editor


def test_an_export_imported_on_another_foldcard_adds_its_meanings(client, editor, tuned):
    client.force_login(editor)
    content = export(client, tuned)
    before = decoded(tuned)
    # Another foldcard: none of these meanings, no vocabulary of that name.
    FoldRule.objects.all().delete()
    Vocabulary.objects.update(is_default=False)
    Meaning.objects.all().delete()
    Vocabulary.objects.filter(pk=tuned.pk).delete()
    assert upload(client, content).status_code == 302
    assert decoded(Vocabulary.objects.get(name="Default")) == before


def test_the_command_imports_a_file_with_a_name(tmp_path, tuned):
    path = tmp_path / "default.json"
    path.write_text(json.dumps(vocabularies.export_vocabulary(tuned)))
    out = io.StringIO()
    call_command("import_vocabulary", str(path), "--name", "Team", stdout=out)
    assert out.getvalue() == "Imported Team (9 rules).\n"
    assert decoded(Vocabulary.objects.get(name="Team")) == decoded(tuned)


def hostile(tuned: Vocabulary) -> dict[str, tuple[bytes, str]]:
    """Return files that must be refused, each with what the refusal says."""
    good = vocabularies.export_vocabulary(tuned)
    good["name"] = "New"

    def changed(**changes) -> bytes:
        return json.dumps({**good, **changes}).encode()

    rules, meanings = good["rules"], good["meanings"]
    large = changed(rules=[{"folds": ["UL"], "meanings": ["x" * 1000]}] * 10_000)
    return {
        "unknown key": (changed(owner="root"), "The file has unknown keys: 'owner'."),
        "unknown rule key": (
            changed(rules=[{**rules[0], "weight": 9}]),
            "Rule 1 has unknown keys: 'weight'.",
        ),
        "fold out of range": (
            changed(rules=[{"folds": 64, "meanings": []}]),
            "Rule 1: folds must be a list of fold codes (UL UR LL LR HALF DIAG).",
        ),
        "no such fold": (
            changed(rules=[{"folds": ["UL", "TOP"], "meanings": []}]),
            "Rule 1: 'TOP' is not a fold; the folds are UL UR LL LR HALF DIAG.",
        ),
        "no folds": (
            changed(rules=[{"folds": [], "meanings": []}]),
            "A rule needs at least one fold.",
        ),
        "same folds twice": (
            changed(rules=[rules[0], {**rules[0], "meanings": []}]),
            "Two rules have the same folds: UL.",
        ),
        "10 MB of rules": (
            large,
            f"The file is {len(large) / 1e6:.1f} MB; a vocabulary file is at most 1 MB.",
        ),
        "too many rules": (
            changed(rules=[rules[0]] * 64),
            "The file's rules must be a list of at most 63.",
        ),
        "slug with markup": (
            changed(meanings=[{**meanings[0], "slug": "<b>asap</b>"}]),
            "Meaning 1: '<b>asap</b>' is not a slug (1 to 40 letters, digits, - or _).",
        ),
        "meaning not in the file": (
            changed(rules=[{"folds": ["UL"], "meanings": ["vip"]}]),
            "Rule 1: the file defines no meaning 'vip'.",
        ),
        "weight out of range": (
            changed(meanings=[{**meanings[0], "weight": 10**9}]),
            "Meaning asap: weight must be a whole number from -1000 to 1000.",
        ),
        "meaning said otherwise": (
            changed(meanings=[{**meanings[0], "weight": 49}, *meanings[1:]]),
            "The meaning asap exists here and says otherwise (weight 50 → 49): rename it in "
            "the file, or make the two agree.",
        ),
        "email body with other line ends": (
            changed(
                meanings=[
                    {**meanings[0], "email_body": meanings[0]["email_body"].replace("\n", "\r\n")},
                    *meanings[1:],
                ]
            ),
            "(email body …irst_name},\\n\\nYou asked to talk as soon… → "
            "…irst_name},\\r\\n\\r\\nYou asked to talk as …)",
        ),
        "misspelt placeholder": (
            changed(meanings=[{**meanings[0], "email_subject": "Hi {frist_name}"}]),
            "Meaning asap: email subject: {frist_name} is not a placeholder: the placeholders "
            "are {name} {first_name} {company} {conference} {note}.",
        ),
        "slug ending in a line break": (
            changed(meanings=[{**meanings[0], "slug": "asap\n"}]),
            "Meaning 1: 'asap\\n' is not a slug (1 to 40 letters, digits, - or _).",
        ),
        "not JSON": (b"\x89PNG\r\n", "This is not a vocabulary file (JSON in UTF-8)"),
        "nested too deeply": (
            b"[" * 100_000 + b"]" * 100_000,
            "This is not a vocabulary file (JSON in UTF-8): it is nested too deeply.",
        ),
        "not an object": (b"[1, 2]", "The file must be a JSON object."),
        "name taken": (changed(name="Default"), "A vocabulary named “Default” exists already"),
    }


def test_a_wrong_or_hostile_file_is_refused_and_nothing_saved(client, editor, tuned):
    client.force_login(editor)
    counts = (Vocabulary.objects.count(), Meaning.objects.count(), FoldRule.objects.count())
    for case, (content, message) in hostile(tuned).items():
        response = upload(client, content)
        assert response.status_code == 400, case
        text = response.content.decode()
        assert message.replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;") in text, (
            case
        )
        assert "<b>asap</b>" not in text
        after = (Vocabulary.objects.count(), Meaning.objects.count(), FoldRule.objects.count())
        assert after == counts, case


def test_the_command_refuses_a_hostile_file_and_saves_nothing(tmp_path, tuned):
    counts = (Vocabulary.objects.count(), Meaning.objects.count())
    for case, (content, message) in hostile(tuned).items():
        path = tmp_path / "file.json"
        path.write_bytes(content)
        with pytest.raises(CommandError) as refused:
            call_command("import_vocabulary", str(path))
        assert message in str(refused.value), case
        assert str(refused.value).endswith("Nothing was imported."), case
        assert (Vocabulary.objects.count(), Meaning.objects.count()) == counts


@pytest.mark.parametrize(
    "character, refusal",
    [("\x00", "null characters"), ("\ud800", "surrogate characters (U+D800)")],
    ids=["null", "surrogate"],
)
@pytest.mark.parametrize(
    "where, field",
    [
        ("The file", "name"),
        ("The file", "description"),
        ("Meaning vip", "label"),
        ("Meaning vip", "description"),
        ("Meaning vip", "email_subject"),
        ("Meaning vip", "email_body"),
    ],
)
def test_a_text_with_a_character_the_database_cannot_store_is_refused(
    client, editor, tuned, where, field, character, refusal
):
    client.force_login(editor)
    data = vocabularies.export_vocabulary(tuned)
    vip = {"slug": "vip", "label": "VIP"}
    data.update(name="With VIP", meanings=[*data["meanings"], vip])
    data["rules"].append({"folds": ["UR", "LL"], "meanings": ["vip"]})
    (data if where == "The file" else vip)[field] = f"Pro{character}spect"
    counts = (Vocabulary.objects.count(), Meaning.objects.count(), FoldRule.objects.count())
    response = upload(client, json.dumps(data).encode())
    assert response.status_code == 400
    assert f"{where}: {field} must not contain {refusal}. Nothing was imported." in (
        response.content.decode()
    )
    after = (Vocabulary.objects.count(), Meaning.objects.count(), FoldRule.objects.count())
    assert after == counts


def test_the_command_refuses_a_name_that_is_not_text(tmp_path, tuned):
    path = tmp_path / "default.json"
    path.write_text(json.dumps(vocabularies.export_vocabulary(tuned)))
    # The shell's byte 0xFF, not UTF-8, as Python passes it on.
    with pytest.raises(CommandError) as refused:
        call_command("import_vocabulary", str(path), "--name", "Team\udcff")
    assert str(refused.value) == (
        "The new vocabulary: name must not contain surrogate characters (U+DCFF). "
        "Nothing was imported."
    )
    assert Vocabulary.objects.count() == 1


def test_a_meaning_added_by_a_file_is_saved_with_the_rest_or_not_at_all(client, editor, tuned):
    client.force_login(editor)
    data = vocabularies.export_vocabulary(tuned)
    new = {"slug": "vip", "label": "VIP", "weight": 90, "window_days": 1}
    data.update(name="With VIP", meanings=[*data["meanings"], new])
    data["rules"].append({"folds": ["UR", "LL"], "meanings": ["vip"]})
    broken = {**data, "rules": [*data["rules"], {"folds": ["UR", "LL"], "meanings": []}]}
    assert upload(client, json.dumps(broken).encode()).status_code == 400
    assert not Meaning.objects.filter(slug="vip").exists()
    assert upload(client, json.dumps(data).encode()).status_code == 302
    imported = Vocabulary.objects.get(name="With VIP")
    assert [m.slug for m in imported.table()[UR | LL].meanings] == ["vip"]


def test_booth_staff_export_but_do_not_import(client, bob, vocabulary):
    client.force_login(bob)
    assert (
        client.get(reverse("contacts-vocabulary-export", args=[vocabulary.pk])).status_code == 200
    )
    content = json.dumps({**vocabularies.export_vocabulary(vocabulary), "name": "B"}).encode()
    assert upload(client, content).status_code == 403
    assert not Vocabulary.objects.filter(name="B").exists()
    assert b"Import a vocabulary" not in client.get(reverse("contacts-vocabularies")).content
