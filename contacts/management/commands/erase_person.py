from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from contacts import privacy
from contacts.models import Contact


class Command(BaseCommand):
    help = (
        "Erase the person with this email: all their cards, photos, notes, emails sent and "
        "import traces, as the contact page's Erase does. What remains is a record of the "
        "erasure without personal data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        person = Contact.objects.filter(email=Contact.normalize_email(email)).first()
        if person is None:
            raise CommandError("No person has this email: nothing was erased.")
        erasure = privacy.erase_person(person)
        self.stdout.write(f"Erased one person: {erasure.cards} card(s).")
