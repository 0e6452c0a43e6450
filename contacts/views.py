from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from contacts.models import Contact
from contacts.services import decode_cards


def _get_contact_for_user(request: HttpRequest, pk: int) -> Contact:
    """Return the contact ``pk`` if the user may see it, or raise 404."""
    return get_object_or_404(Contact, pk=pk)


def contact(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_contact_for_user(request, pk)
    cards = person.cards.select_related("conference", "vocabulary").order_by("-logged_at")
    context = {"contact": person, "cards": decode_cards(cards)}
    return render(request, "contacts/contact.html", context)
