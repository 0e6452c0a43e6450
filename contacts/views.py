from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import followups
from contacts.forms import FollowupActionForm, FollowupFilterForm, UserSettingsForm
from contacts.models import FOLLOW_UP_ORDER, Card, Contact, UserSettings
from contacts.services import decode_cards, email_draft
from foldcard.http import wants_json

PAGE_SIZE = 50
ACTIONS = ("done", "snooze", "drop", "reopen", "assign")
User = get_user_model()


def _get_contact_for_user(request: HttpRequest, pk: int) -> Contact:
    """Return the contact ``pk`` if the user may see it, or raise 404."""
    return get_object_or_404(Contact, pk=pk)


def _get_card_for_user(request: HttpRequest, pk: int) -> Card:
    """Return the card ``pk`` if the user may work on it (their own, or anyone's for a
    manager), or raise 404."""
    queryset = Card.objects.select_related("contact", "conference", "vocabulary", "owner")
    if not request.user.has_perm("contacts.manage_followups"):
        queryset = queryset.filter(owner=request.user)
    return get_object_or_404(queryset, pk=pk)


def _prepare_rows(cards: list[Card], today) -> list[Card]:
    """Decode each card and attach what its row shows: bucket and email draft."""
    for card in decode_cards(cards):
        card.bucket = followups.bucket(card.due_on, today)
        card.email = email_draft(card)
    return cards


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Let a user choose the vocabulary their new cards are decoded with."""
    user_settings = UserSettings.of(request.user)
    form = UserSettingsForm(request.POST or None, instance=user_settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, f"New cards you log now mean what {user_settings.get_vocabulary()} says."
        )
        return redirect("contacts-settings")
    status = 400 if form.errors else 200
    return render(request, "contacts/settings.html", {"form": form}, status=status)


@permission_required("contacts.work_followups", raise_exception=True)
@require_GET
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_contact_for_user(request, pk)
    cards = person.cards.select_related("conference", "vocabulary").order_by("-logged_at")
    context = {"contact": person, "cards": decode_cards(cards)}
    return render(request, "contacts/contact.html", context)


@permission_required("contacts.work_followups", raise_exception=True)
@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    owners = _owners()
    form = FollowupFilterForm(request.GET or None, owners=owners)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Some filters were not understood; they are ignored.")
    cards = form.filter_qs(Card.objects.all(), request.user, today)
    # Counted per due date, which the follow-up indexes hold in order, then per bucket.
    counts = dict.fromkeys(followups.BUCKETS, 0)
    per_day = cards.order_by().values_list("due_on").annotate(cards=Count("*"))
    for due_on, count in per_day:
        counts[followups.bucket(due_on, today)] += count
    # The page's cards are found by id first, sorting narrow rows, then read whole: the
    # sort carries no joined columns.
    ordered_ids = cards.order_by(*FOLLOW_UP_ORDER).values_list("pk", flat=True)
    paginator = Paginator(ordered_ids, PAGE_SIZE)
    paginator.count = sum(counts.values())  # known already: no second COUNT over the cards
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = Card.objects.select_related("contact", "conference", "vocabulary", "owner").in_bulk(ids)
    rows = _prepare_rows([found[pk] for pk in ids if pk in found], today)
    groups = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "cards": [c for c in rows if c.bucket == key],
        }
        for key, label in followups.BUCKETS.items()
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "groups": [g for g in groups if g["cards"]],
        "page": page,
        "total": paginator.count,
        "query": query.urlencode(),
        "today": today,
        "next_url": request.get_full_path(),
        "owners": owners,
        "can_manage": request.user.has_perm("contacts.manage_followups"),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "contacts/followups.html", context, status=status)


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def followup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    if action == "assign" and not request.user.has_perm("contacts.manage_followups"):
        raise PermissionDenied("Only a manager can hand a follow-up to someone else.")
    card = _get_card_for_user(request, pk)
    form = FollowupActionForm(request.POST, action=action)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        problems = [e["message"] for v in errors.values() for e in v]
        context = {"problems": problems, "next_url": _safe_next(request)}
        return render(request, "contacts/action_error.html", context, status=400)
    outcome = form.cleaned_data["outcome"]
    if action == "done":
        card.set_state(Card.State.DONE, request.user, outcome)
        done = f"Marked {card.contact} done."
    elif action == "snooze":
        card.snooze(request.user, form.cleaned_data["days"])
        done = f"Snoozed {card.contact} until {card.snoozed_until:%a %-d %b}."
    elif action == "drop":
        card.set_state(Card.State.DROPPED, request.user, outcome or None)
        done = f"Dropped {card.contact}."
    elif action == "reopen":
        card.set_state(Card.State.OPEN, request.user)
        done = f"Reopened {card.contact}."
    else:
        card.owner = form.cleaned_data["owner"]
        card.save(update_fields=["owner"])
        done = f"{card.contact} is now followed up by {card.owner.get_username()}."
    if wants_json(request):
        today = timezone.localdate()
        _prepare_rows([card], today)
        context = {
            "card": card,
            "today": today,
            "next_url": _safe_next(request),
            "owners": _owners(),
            "can_manage": request.user.has_perm("contacts.manage_followups"),
        }
        row = render_to_string("contacts/_followup_row.html", context, request)
        return JsonResponse({"id": card.pk, "state": card.state, "message": done, "row_html": row})
    messages.success(request, done)
    return _back(request)


def _owners() -> list:
    """Return who can be given a follow-up."""
    return list(User.objects.filter(is_active=True).order_by("username"))


def _safe_next(request: HttpRequest) -> str:
    """Return the page the action came from if it is one of ours, else the list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("contacts-followups")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request))
