"""The vocabulary editor (/vocabularies/): edits in place, refusals, permissions, the
preview of a change, the history and its reverts, and copies."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from contacts import queries, vocabularies
from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.forms import UserSettingsForm
from contacts.models import Card, FoldRule, Meaning, UserSettings, Vocabulary, VocabularyChange
from tests.conftest import user_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # the conference ended on the 20th


@pytest.fixture
def editor(django_user_model):
    """A vocabulary editor without staff status."""
    return user_in(django_user_model, "edna", "Vocabulary editors")


def page_url(vocabulary: Vocabulary) -> str:
    return reverse("contacts-vocabulary", args=[vocabulary.pk])


def meaning_url(vocabulary: Vocabulary, slug: str, action: str = "") -> str:
    meaning = Meaning.objects.get(slug=slug)
    name = f"contacts-vocabulary-meaning{'-' + action if action else ''}"
    return reverse(name, args=[vocabulary.pk, meaning.pk])


def meaning_data(slug: str, **changes) -> dict:
    meaning = vocabularies.meaning_snapshot(Meaning.objects.get(slug=slug))
    data = {**meaning, **changes}
    data.pop("slug")
    if not data.pop("active"):
        return data
    return {**data, "active": "on"}


def rule_of(vocabulary: Vocabulary, pattern: int) -> FoldRule:
    return vocabulary.rules.get(pattern=pattern)


def rule_url(vocabulary: Vocabulary, pattern: int, action: str = "") -> str:
    name = f"contacts-vocabulary-rule{'-' + action if action else ''}"
    return reverse(name, args=[vocabulary.pk, rule_of(vocabulary, pattern).pk])


def decoded(vocabulary: Vocabulary) -> list[tuple]:
    """Return what every fold combination decodes to, as plain values."""
    return [
        (d.priority, d.window_days, [m.slug for m in d.meanings], d.unmapped)
        for d in Vocabulary.objects.get(pk=vocabulary.pk).table()
    ]


def test_it_shows_the_editor_to_an_editor_without_staff_status(client, editor, vocabulary):
    client.force_login(editor)
    response = client.get(page_url(vocabulary))
    assert response.status_code == 200
    assert b"data-card-editor" in response.content
    assert f'id="rule-{rule_of(vocabulary, UR).pk}"'.encode() in response.content
    assert b'id="meaning-new"' in response.content
    listing = client.get(reverse("contacts-vocabularies"))
    assert page_url(vocabulary).encode() in listing.content


def test_a_window_of_one_day_is_said_in_the_singular(client, editor, vocabulary):
    Meaning.objects.filter(slug="unhappy").update(window_days=1)
    client.force_login(editor)
    response = client.get(page_url(vocabulary))
    dues = {row["folds"]: row["due"] for row in response.context["fold_table"]}
    assert dues[LR] == "the last day + 1 day"
    assert dues[UR] != "the last day + 1 day" and dues[UR].endswith(" days")


def test_a_weight_edit_is_saved_recorded_and_reorders_the_cards(
    client, editor, vocabulary, make_card, worked_off
):
    card = make_card(UR)
    client.force_login(editor)
    with worked_off():
        response = client.post(
            meaning_url(vocabulary, "customer"), meaning_data("customer", weight=60)
        )
    assert response.status_code == 302
    assert Meaning.objects.get(slug="customer").weight == 60
    card.refresh_from_db()
    assert card.priority == 60
    change = VocabularyChange.objects.get()
    assert change.changed_by == editor
    assert (change.before["weight"], change.after["weight"]) == (20, 60)
    assert change.summary == "Customer: weight 20 → 60"
    assert "Customer: weight 20 → 60" in client.get(page_url(vocabulary)).content.decode()


def test_a_template_sent_with_the_browser_s_line_ends_is_unchanged(client, editor, vocabulary):
    client.force_login(editor)
    data = meaning_data("customer")
    data["email_body"] = data["email_body"].replace("\n", "\r\n")
    assert "\r\n" in data["email_body"]
    client.post(meaning_url(vocabulary, "customer"), data)
    assert not VocabularyChange.objects.exists()
    client.post(meaning_url(vocabulary, "customer"), {**data, "weight": 21})
    assert VocabularyChange.objects.get().summary == "Customer: weight 20 → 21"


def test_a_misspelt_placeholder_is_refused_naming_it_and_the_known_ones(client, editor, vocabulary):
    client.force_login(editor)
    data = meaning_data("customer", email_subject="Hi {frist_name}, good to see you")
    for mode in ("", "fragment"):
        response = client.post(meaning_url(vocabulary, "customer"), {**data, "preview": mode})
        assert response.status_code == 400
        assert (
            "Email subject: {frist_name} is not a placeholder: the placeholders are "
            "{name} {first_name} {company} {conference} {note}."
        ) in response.content.decode()
    assert Meaning.objects.get(slug="customer").email_subject == "Good to see you at {conference}"
    assert not VocabularyChange.objects.exists()


def test_a_refused_row_is_shown_as_typed_and_marked_unsaved(client, editor, vocabulary):
    client.force_login(editor)
    data = meaning_data("customer", weight=10**6)
    response = client.post(meaning_url(vocabulary, "customer"), data)
    assert response.status_code == 400
    # For the page's script: leaving the page or saving another row would lose it.
    assert 'data-preview data-unsaved\n      data-row-name="Customer"' in response.content.decode()
    assert response.content.decode().count("data-unsaved") == 1


def test_braces_that_are_no_placeholder_word_are_saved_as_written(client, editor, vocabulary):
    client.force_login(editor)
    body = 'Hi {first_name},\n{{ not a placeholder }} {"plan": {"seats": 5}} {0} {'
    data = meaning_data("customer", email_body=body)
    assert client.post(meaning_url(vocabulary, "customer"), data).status_code == 302
    assert Meaning.objects.get(slug="customer").email_body == body


def test_the_history_shows_where_a_long_template_changed(client, editor, vocabulary):
    client.force_login(editor)
    body = Meaning.objects.get(slug="asap").email_body
    assert body.endswith("\n\nBest regards")
    data = meaning_data("asap", email_body=body.replace("Best regards", "Cheers, Anna"))
    client.post(meaning_url(vocabulary, "asap"), data)
    assert VocabularyChange.objects.get().summary == (
        "Talk ASAP: email body …is week?\\n\\nBest regards → …is week?\\n\\nCheers, Anna"
    )


def test_a_rule_is_changed_with_folds_typed_as_the_fold_code(client, editor, vocabulary):
    client.force_login(editor)
    data = {"keys": "95", "meanings": ["customer", "asap"]}
    assert client.post(rule_url(vocabulary, UR), data).status_code == 302
    assert not vocabulary.rules.filter(pattern=UR).exists()
    rule = rule_of(vocabulary, UR | HALF)
    assert sorted(m.slug for m in rule.meanings.all()) == ["asap", "customer"]


def test_a_rule_is_added_with_folds_picked_on_the_card(client, editor, vocabulary):
    client.force_login(editor)
    url = reverse("contacts-vocabulary-rule-new", args=[vocabulary.pk])
    response = client.post(url, {"folds": ["HALF", "DIAG"], "meanings": ["asap"]})
    assert response.status_code == 302
    assert decoded(vocabulary)[HALF | DIAG][2] == ["asap"]


def test_a_rule_without_folds_is_refused(client, editor, vocabulary):
    client.force_login(editor)
    url = reverse("contacts-vocabulary-rule-new", args=[vocabulary.pk])
    before = decoded(vocabulary)
    response = client.post(url, {"keys": "", "meanings": ["asap"]})
    assert response.status_code == 400
    assert "A rule needs at least one fold" in response.content.decode()
    response = client.post(rule_url(vocabulary, HALF), {"meanings": ["asap"]})
    assert response.status_code == 400
    assert decoded(vocabulary) == before
    assert not VocabularyChange.objects.exists()


def test_the_same_fold_pattern_twice_is_refused(client, editor, vocabulary):
    client.force_login(editor)
    new = reverse("contacts-vocabulary-rule-new", args=[vocabulary.pk])
    response = client.post(new, {"keys": "97", "meanings": ["prospect"]})
    assert response.status_code == 400
    assert "has a rule for 79 (UL + UR) already" in response.content.decode()
    # Moving a rule onto another's folds too.
    response = client.post(rule_url(vocabulary, HALF), {"keys": "/", "meanings": ["asap"]})
    assert response.status_code == 400
    assert vocabulary.rules.count() == 7
    assert not VocabularyChange.objects.exists()


def test_deleting_a_meaning_in_use_is_refused(client, editor, vocabulary):
    client.force_login(editor)
    response = client.post(meaning_url(vocabulary, "customer", "delete"))
    assert response.status_code == 400
    assert "Customer is in use by 3 rule(s)" in response.content.decode()
    assert Meaning.objects.filter(slug="customer").exists()


def test_a_meaning_unused_is_added_and_deleted(client, editor, vocabulary):
    client.force_login(editor)
    url = reverse("contacts-vocabulary-meaning-new", args=[vocabulary.pk])
    data = {"slug": "partner", "label": "Partner", "colour": "#112233", "weight": 10, "order": 9}
    response = client.post(url, {**data, "window_days": 5, "active": "on"})
    assert response.status_code == 302
    again = client.post(url, {**data, "window_days": 5})
    assert again.status_code == 400
    assert "A meaning “partner” exists already." in again.content.decode()
    assert client.post(meaning_url(vocabulary, "partner", "delete")).status_code == 302
    assert not Meaning.objects.filter(slug="partner").exists()


def test_a_meaning_s_description_and_order_are_edited_and_recorded(client, editor, vocabulary):
    client.force_login(editor)
    data = meaning_data("customer", description="Bought from us before", order=1)
    assert client.post(meaning_url(vocabulary, "customer"), data).status_code == 302
    customer = Meaning.objects.get(slug="customer")
    assert (customer.description, customer.order) == ("Bought from us before", 1)
    assert VocabularyChange.objects.get().summary == (
        "Customer: description A current customer. → Bought from us before, order 4 → 1"
    )


def test_a_new_meaning_is_offered_the_place_after_the_others(client, editor, vocabulary):
    client.force_login(editor)
    form = client.get(page_url(vocabulary)).context["meaning_rows"][-1]["form"]
    last = max(Meaning.objects.values_list("order", flat=True))
    assert f'name="order" value="{last + 1}"' in str(form["order"])
    assert 'name="description"' in str(form["description"])


def test_a_meaning_out_of_range_is_refused_with_its_field(client, editor, vocabulary):
    client.force_login(editor)
    response = client.post(
        meaning_url(vocabulary, "customer"), meaning_data("customer", weight=5000)
    )
    assert response.status_code == 400
    assert "Weight: Ensure this value is less than or equal to 1000." in response.content.decode()
    assert Meaning.objects.get(slug="customer").weight == 20


def test_a_refused_preview_says_why(client, editor, vocabulary):
    client.force_login(editor)
    url = reverse("contacts-vocabulary-rule-new", args=[vocabulary.pk])
    response = client.post(url, {"keys": "9", "preview": "fragment"})
    assert response.status_code == 400
    assert "has a rule for 9 (UR) already" in response.content.decode()


def test_who_may_do_what(client, bob, charlie, alice, editor, vocabulary):
    shared = page_url(vocabulary)
    rule = rule_url(vocabulary, HALF)
    meaning = meaning_url(vocabulary, "customer")
    for outsider in (charlie,):
        client.force_login(outsider)
        assert client.get(reverse("contacts-vocabularies")).status_code == 403
        assert client.get(shared).status_code == 403
        copy = reverse("contacts-vocabulary-copy", args=[vocabulary.pk])
        assert client.post(copy, {"name": "Mine"}).status_code == 403
    for staff in (bob, alice):
        client.force_login(staff)
        assert client.get(reverse("contacts-vocabularies")).status_code == 200
        assert client.get(shared).status_code == 403
        assert client.post(rule, {"keys": "5", "meanings": ["asap"]}).status_code == 403
        assert client.post(meaning, meaning_data("customer", weight=1)).status_code == 403
        url = reverse("contacts-vocabulary-import")
        assert client.post(url).status_code == 403
    assert Meaning.objects.get(slug="customer").weight == 20


def test_booth_staff_copy_for_themselves_and_edit_only_their_copy(client, bob, charlie, vocabulary):
    client.force_login(bob)
    copy_url = reverse("contacts-vocabulary-copy", args=[vocabulary.pk])
    response = client.post(copy_url, {"name": "Bob's folds"})
    mine = Vocabulary.objects.get(name="Bob's folds")
    assert response.status_code == 302
    assert response.url == page_url(mine)
    assert mine.owner == bob
    assert decoded(mine) == decoded(vocabulary)
    assert client.get(page_url(mine)).status_code == 200
    # His rules are his to change; the shared meanings are not.
    assert client.post(rule_url(mine, HALF), {"keys": "5", "meanings": []}).status_code == 302
    assert decoded(mine)[HALF][2] == []
    assert decoded(vocabulary)[HALF][2] == ["asap"]
    assert client.post(meaning_url(mine, "asap"), meaning_data("asap")).status_code == 403
    # A name taken is refused.
    assert client.post(copy_url, {"name": "Bob's folds"}).status_code == 400
    # He picks it on his settings page; nobody else sees it there or on the list.
    form = UserSettingsForm(instance=UserSettings.of(bob))
    assert mine in form.fields["vocabulary"].queryset
    client.post(reverse("contacts-settings"), {"vocabulary": mine.pk, "digest_at": "08:00"})
    assert UserSettings.of(bob).vocabulary == mine
    other = UserSettingsForm(instance=UserSettings.of(charlie))
    assert mine not in other.fields["vocabulary"].queryset


def test_a_copy_s_name_is_checked_against_its_owner_s_and_the_shared_ones(
    client, bob, charlie, vocabulary
):
    vocabularies.copy_vocabulary(vocabulary, charlie, "My folds")
    client.force_login(bob)
    copy_url = reverse("contacts-vocabulary-copy", args=[vocabulary.pk])
    # Another user's copy of the name is neither refused nor told.
    assert client.post(copy_url, {"name": "My folds"}).status_code == 302
    assert Vocabulary.objects.filter(name="My folds").count() == 2
    response = client.post(copy_url, {"name": "My folds"})
    assert response.status_code == 400
    assert "Its owner has another vocabulary with this name." in response.content.decode()
    response = client.post(copy_url, {"name": vocabulary.name})
    assert response.status_code == 400
    assert "A shared vocabulary has this name: give your copy another." in (
        response.content.decode()
    )
    assert Vocabulary.objects.filter(owner=bob).count() == 1


def test_the_name_offered_for_a_copy_skips_only_names_its_user_sees(
    client, bob, charlie, vocabulary
):
    vocabularies.copy_vocabulary(vocabulary, charlie, "Default (bob)")
    assert vocabularies.unique_name("Default (bob)", bob) == "Default (bob)"
    vocabularies.copy_vocabulary(vocabulary, bob, "Default (bob)")
    assert vocabularies.unique_name("Default (bob)", bob) == "Default (bob) 2"
    assert vocabularies.unique_name("Default", bob) == "Default 2"


def test_the_settings_page_marks_the_user_s_own_copies(bob, vocabulary):
    vocabularies.copy_vocabulary(vocabulary, bob, "Mine")
    form = UserSettingsForm(instance=UserSettings.of(bob))
    labels = [label for _, label in form.fields["vocabulary"].choices]
    assert labels[1:] == ["Default", "Mine (yours)"]


def test_nobody_but_the_owner_and_editors_sees_a_copy(client, bob, alice, editor, vocabulary):
    mine = vocabularies.copy_vocabulary(vocabulary, bob, "Bob's folds")
    client.force_login(alice)
    assert client.get(page_url(mine)).status_code == 404
    assert b"Bob&#x27;s folds" not in client.get(reverse("contacts-vocabularies")).content
    client.force_login(editor)
    assert client.get(page_url(mine)).status_code == 200


@pytest.fixture
def hand_made(make_card, vocabulary, bob, fixed_today):
    """Cards met at a conference that ended on 20 November, seen on the 25th."""
    fixed_today(TODAY)
    copy = vocabularies.copy_vocabulary(vocabulary, bob, "Bob's folds")
    return {
        "customer": make_card(UR, name="Carla Customer"),  # due 27 Nov
        "done": make_card(UR, name="Dora Done", state="done"),
        "snoozed": make_card(
            UR, name="Sam Snoozed", state="snoozed", snoozed_until=date(2026, 12, 1)
        ),
        "prospect": make_card(UL, name="Pia Prospect"),  # due 23 Nov, overdue, unchanged
        "upsell": make_card(UL | UR, name="Uma Upsell"),  # due 23 Nov, overdue already
        "copy": make_card(UR, name="Cody Copy", vocabulary=copy),  # the meaning is shared
        "competitor": make_card(DIAG, name="Cleo Competitor"),  # due 4 Dec
    }


def test_the_preview_names_only_the_vocabularies_a_meaning_is_used_in(
    client, editor, vocabulary, bob
):
    copy = vocabularies.copy_vocabulary(vocabulary, bob, "Bob's folds")
    temp = Meaning.objects.create(slug="temp", label="Temp", weight=5)
    FoldRule.objects.create(vocabulary=copy, pattern=LL | LR).meanings.add(temp)
    client.force_login(editor)
    data = meaning_data("temp", weight=50, preview="fragment")
    response = client.post(meaning_url(vocabulary, "temp"), data)
    assert "The meaning is shared: Bob&#x27;s folds change with it." in response.content.decode()
    # Used by no other vocabulary than the one edited: nothing is said.
    solo = Meaning.objects.create(slug="solo", label="Solo", weight=5)
    FoldRule.objects.create(vocabulary=vocabulary, pattern=LL | LR | DIAG).meanings.add(solo)
    data = meaning_data("solo", weight=50, preview="fragment")
    response = client.post(meaning_url(vocabulary, "solo"), data)
    assert response.status_code == 200
    assert "is shared" not in response.content.decode()


def test_the_preview_counts_what_a_meaning_change_does(
    client, alice, editor, vocabulary, hand_made
):
    """Customer's weight 20 → 60 and window 7 → 1 days."""
    user_in_both = editor
    user_in_both.groups.add(*alice.groups.all())
    client.force_login(user_in_both)
    data = meaning_data("customer", weight=60, window_days=1, preview="fragment")
    response = client.post(meaning_url(vocabulary, "customer"), data)
    assert response.status_code == 200
    preview = response.context["preview"]
    # UR, UR + UL, UR + LR and all the combinations with them.
    assert all(c.after.priority == c.before.priority + 40 for c in preview.combinations)
    assert len(preview.combinations) == 48
    assert [v.name for v in preview.shared] == ["Default", "Bob's folds"]
    assert preview.cards == 5  # Carla, Dora, Sam, Uma, Cody
    assert preview.priority_changes == 3  # waiting: Carla, Uma, Cody
    assert preview.due_changes == 3
    assert preview.into_overdue == 2  # Carla and Cody, due 27 Nov, now 21 Nov; Uma was overdue
    assert preview.out_of_overdue == 0
    text = response.content.decode()
    assert "<code>9</code> Customer:" in text  # its meanings the same, no "(was …)"
    assert "3 waiting cards change priority" in text
    assert "(5 cards logged with these folds: those snoozed, done or dropped are re" in text
    assert "2 move into Overdue" in text
    assert [c.contact.name for c in preview.moved] == ["Uma Upsell", "Carla Customer", "Cody Copy"]
    first = [(c.contact.name, c.was) for c in preview.first]
    assert first == [
        ("Uma Upsell", 1),
        ("Carla Customer", 3),
        ("Cody Copy", 4),
        ("Pia Prospect", 2),
        ("Cleo Competitor", 5),
    ]
    # Nothing was saved.
    assert Meaning.objects.get(slug="customer").weight == 20
    assert Card.objects.get(pk=hand_made["customer"].pk).priority == 20


def test_the_preview_lists_a_person_once_as_the_follow_up_list_does(
    client, alice, editor, vocabulary, hand_made, make_card
):
    uma = hand_made["upsell"].contact
    make_card(UL | UR, contact=uma, note="met again")
    editor.groups.add(*alice.groups.all())
    client.force_login(editor)
    data = meaning_data("customer", weight=60, window_days=1, preview="fragment")
    preview = client.post(meaning_url(vocabulary, "customer"), data).context["preview"]
    names = [c.contact.name for c in preview.first]
    assert names == ["Uma Upsell", "Carla Customer", "Cody Copy", "Pia Prospect", "Cleo Competitor"]
    assert [c.contact.name for c in preview.moved] == ["Uma Upsell", "Carla Customer", "Cody Copy"]


def test_the_preview_of_a_rule_change_names_the_combinations(client, editor, vocabulary, hand_made):
    client.force_login(editor)
    data = {"keys": "9", "meanings": ["prospect"], "preview": "page"}
    response = client.post(rule_url(vocabulary, UR), data)
    assert response.status_code == 200
    preview = response.context["preview"]
    # UR without UL (where the rule UL + UR wins), and not with both lower corners, which
    # say prospect (LL) and customer (LR) anyway.
    assert sorted(c.after.folds for c in preview.combinations) == [
        mask for mask in range(64) if mask & UR and not mask & UL and mask & (LL | LR) != LL | LR
    ]
    assert preview.priority_changes == 0  # customer and prospect weigh the same
    assert preview.due_changes == 1  # Carla: 7 → 3 days; Cody's vocabulary is another
    assert "would decode otherwise" in response.content.decode()
    assert "<code>9</code> Prospect (was Customer):" in response.content.decode()
    assert response.context["vocabulary"] == vocabulary


def test_the_preview_is_the_engine_s_own_table(vocabulary, editor, hand_made):
    after = {"pattern": UR | HALF, "meanings": ["customer"]}
    before = vocabularies.rule_snapshot(rule_of(vocabulary, UR))
    table = queries.proposed_table(vocabulary, "rule", before, after)
    vocabularies.apply_change(vocabulary, editor, "rule", before, after)
    assert table == Vocabulary.objects.get(pk=vocabulary.pk).table()


def test_a_revert_restores_the_decoding_and_the_cards(
    client, editor, vocabulary, hand_made, worked_off
):
    client.force_login(editor)
    original = decoded(vocabulary)
    cards = {name: (c.priority, c.due_on) for name, c in hand_made.items()}
    with worked_off():
        client.post(
            meaning_url(vocabulary, "customer"), meaning_data("customer", weight=60, window_days=1)
        )
        client.post(rule_url(vocabulary, LR), {"keys": "3/", "meanings": ["competitor"]})
    assert decoded(vocabulary) != original
    assert Card.objects.get(pk=hand_made["customer"].pk).due_on == date(2026, 11, 21)
    with worked_off():
        for change in VocabularyChange.objects.order_by("-pk")[:2]:
            url = reverse("contacts-vocabulary-revert", args=[vocabulary.pk, change.pk])
            assert client.post(url).status_code == 302
    assert decoded(vocabulary) == original
    for name, card in hand_made.items():
        card.refresh_from_db()
        assert (card.priority, card.due_on) == cards[name], name
    reverted = VocabularyChange.objects.order_by("-pk").first()
    assert reverted.summary.startswith("Reverted: Customer: weight 20 → 60")
    assert reverted.changed_by == editor


def test_a_revert_under_a_later_change_is_refused(client, editor, vocabulary):
    client.force_login(editor)
    url = meaning_url(vocabulary, "customer")
    client.post(url, meaning_data("customer", weight=30))
    first = VocabularyChange.objects.get()
    client.post(url, meaning_data("customer", weight=40))
    revert = reverse("contacts-vocabulary-revert", args=[vocabulary.pk, first.pk])
    response = client.post(revert)
    assert response.status_code == 400
    assert "changed since; revert the later change first" in response.content.decode()
    assert Meaning.objects.get(slug="customer").weight == 40


def test_a_copy_s_creation_cannot_be_reverted(client, bob, vocabulary):
    mine = vocabularies.copy_vocabulary(vocabulary, bob, "Bob's folds")
    client.force_login(bob)
    creation = mine.changes.get()
    assert "Revert" not in client.get(page_url(mine)).content.decode()
    url = reverse("contacts-vocabulary-revert", args=[mine.pk, creation.pk])
    assert client.post(url).status_code == 403
    assert Vocabulary.objects.filter(pk=mine.pk).exists()


def test_the_settings_row_changes_the_window_of_unclassified_cards(
    client, editor, vocabulary, make_card, worked_off
):
    card = make_card(0)
    client.force_login(editor)
    data = {"name": "Default", "description": "", "default_window_days": 3}
    with worked_off():
        assert client.post(page_url(vocabulary), data).status_code == 302
    card.refresh_from_db()
    assert card.window_days == 3
    Vocabulary.objects.create(name="Taken")
    response = client.post(page_url(vocabulary), {**data, "name": "Taken"})
    assert response.status_code == 400
    assert "A shared vocabulary with this name exists already." in response.content.decode()


def seen_in(page, key: str) -> str:
    """Return what the row ``key`` of the editor's page sends back of what it showed."""
    return re.search(rf'id="{key}".*?name="seen" value="(\w+)"', page, re.S)[1]


@pytest.mark.parametrize("second", ["a save", "a deletion"])
def test_an_edit_of_a_meaning_changed_since_the_page_loaded_is_refused(
    client, editor, vocabulary, second
):
    customer = Meaning.objects.get(slug="customer")
    client.force_login(editor)
    page = client.get(page_url(vocabulary)).content.decode()
    seen = seen_in(page, f"meaning-{customer.pk}")
    # Someone else raises the weight from another page loaded at the same time.
    response = client.post(
        meaning_url(vocabulary, "customer"), meaning_data("customer", weight=70, seen=seen)
    )
    assert response.status_code == 302
    if second == "a save":
        data = meaning_data("customer", weight=customer.weight, label="Client", seen=seen)
        response = client.post(meaning_url(vocabulary, "customer"), data)
    else:
        response = client.post(meaning_url(vocabulary, "customer", "delete"), {"seen": seen})
    assert response.status_code == 409
    assert "Someone changed this since you loaded the page" in response.content.decode()
    assert (
        Meaning.objects.get(slug="customer").weight,
        Meaning.objects.get(slug="customer").label,
    ) == (70, "Customer")
    # The row shows the meaning as it is now, to be edited again.
    again = seen_in(response.content.decode(), f"meaning-{customer.pk}")
    data = meaning_data("customer", label="Client", seen=again)
    assert client.post(meaning_url(vocabulary, "customer"), data).status_code == 302
    assert (
        Meaning.objects.get(slug="customer").weight,
        Meaning.objects.get(slug="customer").label,
    ) == (70, "Client")


def test_an_edit_of_a_rule_changed_since_the_page_loaded_is_refused(client, editor, vocabulary):
    rule = rule_of(vocabulary, UR)
    client.force_login(editor)
    seen = seen_in(client.get(page_url(vocabulary)).content.decode(), f"rule-{rule.pk}")
    rule.meanings.add(Meaning.objects.get(slug="asap"))
    response = client.post(rule_url(vocabulary, UR, "delete"), {"seen": seen})
    assert response.status_code == 409
    assert FoldRule.objects.filter(pk=rule.pk).exists()


def test_a_meaning_is_not_given_another_meanings_label(client, editor, vocabulary):
    client.force_login(editor)
    data = meaning_data("customer", label="talk asap")
    response = client.post(meaning_url(vocabulary, "customer"), data)
    assert response.status_code == 400
    assert "The meaning asap is labelled Talk ASAP" in response.content.decode()
    assert Meaning.objects.get(slug="customer").label == "Customer"


def test_a_deletion_previewed_keeps_what_the_row_was_loaded_with(client, editor, vocabulary):
    rule = rule_of(vocabulary, UR)
    client.force_login(editor)
    seen = seen_in(client.get(page_url(vocabulary)).content.decode(), f"rule-{rule.pk}")
    rule.meanings.add(Meaning.objects.get(slug="asap"))  # someone else, meanwhile
    data = {"seen": seen, "preview": "page"}
    preview = client.post(rule_url(vocabulary, UR, "delete"), data).content.decode()
    assert seen_in(preview, f"rule-{rule.pk}") == seen
    response = client.post(rule_url(vocabulary, UR, "delete"), {"seen": seen})
    assert response.status_code == 409


def test_meanings_whose_labels_clash_already_can_still_be_edited(client, editor, vocabulary):
    Meaning.objects.filter(slug="asap").update(label="customer")
    client.force_login(editor)
    data = meaning_data("customer", weight=55)
    assert client.post(meaning_url(vocabulary, "customer"), data).status_code == 302
    assert Meaning.objects.get(slug="customer").weight == 55
