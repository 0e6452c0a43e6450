"""Compare the letters Unicode does not decompose as the letters they are written for
(matching.BASE_LETTERS: "Ørsted" is "orsted"): the name and company key of the people
written with one, and the search text of their cards and of cards noting one."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Q

from contacts import matching, search
from foldcard.iterables import batched

CHUNK = 2000
LETTERS = "".join(f"{letter}{letter.upper()}" for letter in matching.BASE_LETTERS)
WRITTEN_WITH_ONE = f"[{LETTERS}]"
DETAILS = ("name", "company", "email", "notes")


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    Card = apps.get_model("contacts", "Card")
    people = Contact.objects.filter(
        Q.create([(f"{field}__regex", WRITTEN_WITH_ONE) for field in DETAILS], connector="OR")
    )
    for chunk in batched(people.only("name", "company").order_by("pk").iterator(CHUNK), CHUNK):
        for person in chunk:
            person.match_key = matching.match_key(person.name, person.company)
        Contact.objects.bulk_update(chunk, ["match_key"])
    cards = Card.objects.filter(Q(note__regex=WRITTEN_WITH_ONE) | Q(contact__in=people))
    cards = cards.select_related("contact").only(
        "note", "contact__phone", *(f"contact__{field}" for field in DETAILS)
    )
    for chunk in batched(cards.order_by("pk").iterator(CHUNK), CHUNK):
        for card in chunk:
            details = [getattr(card.contact, field) for field in DETAILS]
            card.search = search.search_text(*details, card.note, phone=card.contact.phone)
        Card.objects.bulk_update(chunk, ["search"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0026_fill_phone_digits_and_match_key")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
