from __future__ import annotations

import pytest
from django.urls import reverse

from contacts import folds
from contacts.folds import HALF, UL, UR
from contacts.models import Card, FoldRule, Meaning, Vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    return client


def vocabulary_post(vocabulary, extra_rules=()) -> dict:
    """Return the admin change form's POST data for ``vocabulary`` plus new rules."""
    rules = list(vocabulary.rules.prefetch_related("meanings"))
    data = {
        "name": vocabulary.name,
        "description": vocabulary.description,
        "site_default": "on" if vocabulary.is_default else "",
        "default_window_days": vocabulary.default_window_days,
        "rules-TOTAL_FORMS": len(rules) + len(extra_rules),
        "rules-INITIAL_FORMS": len(rules),
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
    }
    for i, rule in enumerate(rules):
        data[f"rules-{i}-id"] = rule.pk
        data[f"rules-{i}-vocabulary"] = vocabulary.pk
        data[f"rules-{i}-pattern"] = folds.to_codes(rule.pattern)
        data[f"rules-{i}-meanings"] = [m.pk for m in rule.meanings.all()]
    for j, (pattern, slugs) in enumerate(extra_rules, start=len(rules)):
        data[f"rules-{j}-vocabulary"] = vocabulary.pk
        data[f"rules-{j}-pattern"] = folds.to_codes(pattern)
        data[f"rules-{j}-meanings"] = [m.pk for m in Meaning.objects.filter(slug__in=slugs)]
    return data


def change_url(vocabulary) -> str:
    return reverse("admin:contacts_vocabulary_change", args=[vocabulary.pk])


def test_it_shows_the_decoding_table(admin_client, vocabulary):
    response = admin_client.get(change_url(vocabulary))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What each fold combination means" in html
    assert html.count("<tr>") >= 64
    assert "<td>UL + UR + HALF</td>" in html
    assert "Talk ASAP, " in html


def test_it_adds_a_rule_and_redecodes_existing_cards(
    admin_client, vocabulary, make_card, tasks_at_once, django_capture_on_commit_callbacks
):
    card = make_card(UL | UR | HALF)
    data = vocabulary_post(vocabulary, extra_rules=[(UL | UR | HALF, ["competitor"])])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url(vocabulary), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.priority == 5
    assert card.window_days == 14


def test_it_refuses_a_duplicate_pattern_with_a_clear_message(admin_client, vocabulary):
    data = vocabulary_post(vocabulary, extra_rules=[(UR, ["asap"])])
    response = admin_client.post(change_url(vocabulary), data)
    assert response.status_code == 200
    assert "Two rules have the same folds (UR): merge them into one rule." in (
        response.content.decode()
    )
    assert vocabulary.rules.count() == 7


def test_it_refuses_an_empty_pattern(admin_client, vocabulary):
    data = vocabulary_post(vocabulary, extra_rules=[(0, ["asap"])])
    response = admin_client.post(change_url(vocabulary), data)
    assert response.status_code == 200
    assert "Choose at least one fold for this rule." in response.content.decode()
    assert vocabulary.rules.count() == 7


def test_it_refuses_an_unknown_fold(admin_client, vocabulary):
    data = vocabulary_post(vocabulary, extra_rules=[(UL, ["asap"])])
    data["rules-7-pattern"] = ["TOP"]
    response = admin_client.post(change_url(vocabulary), data)
    assert response.status_code == 200
    assert "TOP is not a fold" in response.content.decode()


def test_ticking_site_default_moves_the_default_in_one_save(admin_client, vocabulary):
    other = Vocabulary.objects.create(name="Trade show")
    data = vocabulary_post(other)
    data["site_default"] = "on"
    response = admin_client.post(change_url(other), data)
    assert response.status_code == 302
    assert Vocabulary.default() == other
    assert list(Vocabulary.objects.filter(is_default=True)) == [other]


def test_a_refused_save_leaves_the_default_where_it_was(admin_client, vocabulary):
    other = Vocabulary.objects.create(name="Trade show")
    data = vocabulary_post(other, extra_rules=[(UR, ["asap"]), (UR, ["customer"])])
    data["site_default"] = "on"
    response = admin_client.post(change_url(other), data)
    assert response.status_code == 200
    assert "Two rules have the same folds (UR)" in response.content.decode()
    assert Vocabulary.default() == vocabulary and not Vocabulary.objects.get(pk=other.pk).is_default


def test_a_name_taken_is_a_form_error(admin_client, vocabulary, bob):
    shared = Vocabulary.objects.create(name="Trade show")
    data = vocabulary_post(shared)
    data["name"] = vocabulary.name
    response = admin_client.post(change_url(shared), data)
    assert response.status_code == 200
    assert "A shared vocabulary with this name exists already." in response.content.decode()
    mine = Vocabulary.objects.create(name="Mine", owner=bob)
    Vocabulary.objects.create(name="Also mine", owner=bob)
    data = {**vocabulary_post(mine), "name": "Also mine"}
    response = admin_client.post(change_url(mine), data)
    assert response.status_code == 200
    assert "Its owner has another vocabulary with this name." in response.content.decode()


def test_the_change_form_shows_the_default_ticked(admin_client, vocabulary):
    html = admin_client.get(change_url(vocabulary)).content.decode()
    assert 'id="id_site_default" checked' in html


def test_a_weight_edit_reorders_existing_cards(
    admin_client, make_card, tasks_at_once, django_capture_on_commit_callbacks
):
    customer = make_card(UR, name="Cus")
    prospect = make_card(UL, name="Pro")
    # Same due date needs different windows; make the prospect's window match first.
    meaning = Meaning.objects.get(slug="prospect")
    url = reverse("admin:contacts_meaning_change", args=[meaning.pk])
    data = {
        "slug": "prospect",
        "label": "Prospect",
        "description": "",
        "weight": 90,
        "window_days": 7,
        "colour": "#0d6efd",
        "order": 3,
        "active": "on",
    }
    assert list(Card.objects.order_by("-priority", "contact__name")) == [customer, prospect]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    ordered = list(Card.objects.all())
    assert ordered == [prospect, customer]
    assert ordered[0].priority == 90


def test_a_bad_colour_is_a_form_error(admin_client):
    meaning = Meaning.objects.get(slug="asap")
    url = reverse("admin:contacts_meaning_change", args=[meaning.pk])
    response = admin_client.post(
        url,
        {"slug": "asap", "label": "x", "weight": 1, "window_days": 1, "colour": "red", "order": 0},
    )
    assert response.status_code == 200
    assert "Enter a colour as # and six hex digits" in response.content.decode()


def test_a_misspelt_placeholder_is_a_form_error(admin_client):
    meaning = Meaning.objects.get(slug="asap")
    url = reverse("admin:contacts_meaning_change", args=[meaning.pk])
    data = {"slug": "asap", "label": "x", "weight": 1, "window_days": 1, "colour": "#123456"}
    response = admin_client.post(url, {**data, "order": 0, "email_subject": "Hi {frist_name}"})
    assert response.status_code == 200
    assert "{frist_name} is not a placeholder" in response.content.decode()
    assert Meaning.objects.get(slug="asap").label != "x"


def test_deleting_a_meaning_in_use_is_refused_naming_its_rules(admin_client, vocabulary):
    asap = Meaning.objects.get(slug="asap")
    team = Vocabulary.objects.create(name="Team folds")
    FoldRule.objects.create(vocabulary=team, pattern=UR | HALF).meanings.set([asap])
    url = reverse("admin:contacts_meaning_delete", args=[asap.pk])
    for response in (admin_client.get(url), admin_client.post(url, {"post": "yes"})):
        assert response.status_code == 200
        text = response.content.decode()
        in_use = "Talk ASAP is in use by 2 rule(s) (Default: 5 (HALF); Team folds: 95 (UR + HALF))"
        assert in_use in text
        assert "untick Active to stop using it" in text
    assert Meaning.objects.filter(slug="asap").exists()


def test_the_bulk_delete_refuses_meanings_in_use_and_deletes_none(admin_client):
    unused = Meaning.objects.create(slug="unused", label="Unused")
    chosen = [unused.pk, Meaning.objects.get(slug="customer").pk]
    data = {"action": "delete_selected", "_selected_action": chosen}
    url = reverse("admin:contacts_meaning_changelist")
    for extra in ({}, {"post": "yes"}):
        response = admin_client.post(url, {**data, **extra})
        assert response.status_code == 200
        assert "Customer is in use by" in response.content.decode()
    assert Meaning.objects.filter(pk__in=chosen).count() == 2


def test_an_unused_meaning_is_deleted(admin_client):
    unused = Meaning.objects.create(slug="unused", label="Unused")
    url = reverse("admin:contacts_meaning_delete", args=[unused.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Meaning.objects.filter(slug="unused").exists()


def test_the_card_list_filters_by_meaning(admin_client, make_card):
    make_card(HALF, name="Hasty Harriet")
    make_card(UL, name="Slow Sam")
    response = admin_client.get(reverse("admin:contacts_card_changelist"), {"meaning": "asap"})
    html = response.content.decode()
    assert "Hasty Harriet" in html
    assert "Slow Sam" not in html


def test_every_admin_page_renders(admin_client, make_card):
    card = make_card(UR)
    for name, args in [
        ("admin:contacts_card_changelist", []),
        ("admin:contacts_card_change", [card.pk]),
        ("admin:contacts_card_add", []),
        ("admin:contacts_contact_change", [card.contact.pk]),
        ("admin:contacts_vocabulary_add", []),
        ("admin:contacts_meaning_changelist", []),
        ("admin:events_conference_change", [card.conference.pk]),
    ]:
        assert admin_client.get(reverse(name, args=args)).status_code == 200, name


def test_a_phone_edited_in_the_admin_is_stored_in_e164_too(admin_client, conference, make_card):
    conference.country = "SE"
    conference.save()
    card = make_card(UR, name="Dana Reyes")
    url = reverse("admin:contacts_contact_change", args=[card.contact.pk])
    data = {
        "name": "Dana Reyes",
        "company": "Acme",
        "phone": "08-555 010 1",
        "created_at_0": "2026-11-20",
        "created_at_1": "10:00:00",
        "cards-TOTAL_FORMS": "1",
        "cards-INITIAL_FORMS": "1",
        "cards-0-id": str(card.pk),
        "cards-0-contact": str(card.contact.pk),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    card.contact.refresh_from_db()
    assert (card.contact.phone, card.contact.phone_normalized) == ("08-555 010 1", "+4685550101")
