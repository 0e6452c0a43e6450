from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections import Counter
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import reading
from contacts import duplicates, exports, folds, photos, queries, rules, services
from contacts.forms import CardForm, PhotoForm, StackForm
from contacts.models import Card, Contact, StackPhoto, UserSettings
from events.forms import ConferenceForm, LookupForm
from events.models import CONFERENCE_WITH_SLUG, Conference
from foldcard import storage
from foldcard.http import form_errors, wants_json
from foldcard.text import sentence

logger = logging.getLogger(__name__)

LATEST_AT_BOOTH = 6
QUEUED_BY_SOMEONE_ELSE = (
    "This card was logged on this browser by another user: it is sent when they log in here."
)
REPLAY_CONFLICT = (
    "A card with this client_uuid was saved by another user or at another conference; "
    "this one was not saved."
)
# The session's key for the booth's last choice of consent: the next card's default.
BOOTH_CONSENT = "booth_consent"
# The chart of meanings, in px at its natural size: a phone shows it scaled down. Its
# columns fit the longest label and count, at widths generous for a sans-serif at 13 px.
CHART_LABEL_CHARS = 24
CHART_CHAR_WIDTH = 7.5
CHART_DIGIT_WIDTH = 8.5
CHART_GAP = 8
BAR_WIDTH = 180
BAR_PITCH = 26
DAY_PITCH = 14
DAY_HEIGHT = 60


def _get_conference(slug: str) -> Conference:
    """Return the conference ``slug`` (everyone at the booth sees every conference), or
    raise 404."""
    conference = CONFERENCE_WITH_SLUG.first(slug)
    if conference is None:
        raise Http404("No conference matches the given query.")
    return conference


def _get_card(conference: Conference, pk: int) -> Card:
    """Return the card ``pk`` of ``conference``, or raise 404."""
    queryset = Card.objects.select_related("contact", "conference", "vocabulary")
    return get_object_or_404(queryset, pk=pk, conference=conference)


# The conferences on a page of the home page, the latest first.
CONFERENCES_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The conferences, where booth staff and managers land after logging in; the others
    land where their role has work: a vocabulary editor on the vocabularies, a user without
    a role on their settings."""
    if not request.user.has_perm("contacts.log_cards"):
        if request.user.has_perm("contacts.change_vocabulary"):
            return redirect("contacts-vocabularies")
        return redirect("contacts-settings")
    conferences = Conference.objects.order_by("-starts_on", "name")
    page = Paginator(conferences, CONFERENCES_PER_PAGE).get_page(request.GET.get("page"))
    # The cards of the page's conferences alone, counted from their index: those of every
    # conference took most of a second at a million cards.
    shown = {conference.pk: conference for conference in page}
    counted = Card.objects.filter(conference__in=shown).values_list("conference")
    counts = dict(counted.order_by().annotate(Count("pk")))
    for pk, conference in shown.items():
        conference.num_cards = counts.get(pk, 0)
    last = UserSettings.of(request.user).last_conference
    return render(request, "events/home.html", {"page": page, "last": last})


@permission_required("events.add_conference", raise_exception=True)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = ConferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conference = form.save(commit=False)
        conference.created_by = request.user
        conference.save()
        return redirect("events-detail", conference.slug)
    return render(request, "events/create.html", {"form": form}, status=400 if form.errors else 200)


@permission_required("events.change_conference", raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _get_conference(slug)
    form = ConferenceForm(request.POST or None, instance=conference)
    if request.method == "POST" and form.is_valid():
        # The conference and its cards' due dates change together, or neither does.
        with transaction.atomic():
            form.save()
            services.conference_changed(conference, form.changed_data)
        messages.success(request, sentence(f"Saved {conference.name}"))
        return redirect("events-detail", conference.slug)
    context = {"form": form, "conference": conference}
    return render(request, "events/create.html", context, status=400 if form.errors else 200)


@permission_required("contacts.log_cards", raise_exception=True)
@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The conference's dashboard: what its cards mean and how far the follow-ups are."""
    conference = _get_conference(slug)
    # One pass over the conference's cards for every total and the chart of meanings.
    # Overdue by the site's day, as the follow-up list it links to says (not the conference's).
    totals, counts = queries.dashboard_counts(conference.cards.all(), timezone.localdate())
    handled = totals["done"] + totals["dropped"]
    today = conference.today()
    days = queries.done_per_day(conference, today) if today > conference.ends_on else []
    most_in_a_day = max((n for _, n in days), default=0) or 1
    done_bars = []
    for i, (day, n) in enumerate(days):
        height = round(DAY_HEIGHT * n / most_in_a_day)
        done_bars.append(
            {"day": day, "count": n, "x": i * DAY_PITCH, "y": DAY_HEIGHT - height, "height": height}
        )
    context = {
        "conference": conference,
        "totals": totals,
        "chart": _meaning_chart(counts),
        "handled": handled,
        "percent": _percent(handled, totals["total"]),
        "done_bars": done_bars,
        "done_any": any(n for _, n in days),
        "done_chart_width": len(done_bars) * DAY_PITCH,
    }
    return render(request, "events/detail.html", context)


def _meaning_chart(counts: list[queries.MeaningCount]) -> dict:
    """Return the bars of the chart of meanings and the chart's size, its columns as wide
    as the longest label (cut at CHART_LABEL_CHARS) and the largest count."""
    most = max((c.count for c in counts), default=0)
    labels = [Truncator(c.label).chars(CHART_LABEL_CHARS) for c in counts]
    label_width = round(CHART_CHAR_WIDTH * max(map(len, labels), default=0))
    bar_x = label_width + CHART_GAP
    bars = []
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        width = round(BAR_WIDTH * count.count / most)
        bars.append(
            {
                "count": count,
                "label": label,
                "y": i * BAR_PITCH,
                "width": width,
                "count_x": bar_x + width + CHART_GAP,
            }
        )
    count_width = round(CHART_DIGIT_WIDTH * len(str(most)))
    return {
        "bars": bars,
        "label_width": label_width,
        "bar_x": bar_x,
        "width": bar_x + BAR_WIDTH + CHART_GAP + count_width,
        "height": len(bars) * BAR_PITCH,
    }


def _percent(part: int, whole: int) -> int:
    """Return ``part`` of ``whole`` in whole percent, rounded down: 100 only for all of it."""
    return 100 * part // whole if whole else 0


def _download(response: HttpResponse, conference: Conference, name: str) -> HttpResponse:
    """Return ``response`` as a file download named after the conference."""
    response["Content-Disposition"] = f'attachment; filename="{conference.slug}-{name}"'
    return response


@permission_required("contacts.export_cards", raise_exception=True)
@require_GET
def export_csv(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Stream the conference's cards as CSV, a chunk of rows at a time, in foldcard's
    columns or a CRM's (``?profile=``)."""
    conference = _get_conference(slug)
    profile = (request.GET.get("profile") or "foldcard").lower()
    if profile not in exports.PROFILES:
        known = ", ".join(name for name in exports.PROFILES if name != "foldcard")
        return HttpResponseBadRequest(
            f"Unknown export profile {profile!r}: choose one of {known}, or none for "
            "foldcard's own columns.",
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        exports.csv_file(conference, exports.PROFILES[profile]),
        content_type="text/csv; charset=utf-8",
    )
    name = "cards.csv" if profile == "foldcard" else f"{profile}.csv"
    return _download(response, conference, name)


@permission_required("contacts.export_cards", raise_exception=True)
@require_GET
def export_vcf(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the conference's people as vCard 4.0, or 3.0 with ``?version=3``."""
    conference = _get_conference(slug)
    version = request.GET.get("version") or "4"
    if version not in {str(v) for v in exports.VCARD_VERSIONS}:
        return HttpResponseBadRequest(
            f"Unknown vCard version {version!r}: choose 4 (the default) or 3.",
            content_type="text/plain; charset=utf-8",
        )
    body = exports.vcards(conference, int(version))
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    return _download(response, conference, "contacts.vcf")


@permission_required("contacts.export_cards", raise_exception=True)
@require_GET
def export_ics(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _get_conference(slug)
    body = exports.icalendar_tasks(conference)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    return _download(response, conference, "followups.ics")


def _editor_context(
    conference: Conference, table: tuple[folds.Decoding, ...], logged_on: date
) -> dict:
    """Return what the card editor's script needs: the decoding table, with each due date
    worked out for a card logged on ``logged_on`` (where the conference is), the table's
    fingerprint, and the fold keys in bit order."""
    rows, version = _fold_table(table, conference.ends_on, logged_on)
    keys = [[code, folds.to_keys(bit)] for code, bit in folds.BITS.items()]
    return {"fold_table": rows, "fold_table_version": version, "fold_keys": keys}


def _fold_table_version(conference: Conference, table: tuple[folds.Decoding, ...]) -> str:
    """Return the fingerprint of the table a booth page of ``conference`` decodes with
    today: a page whose own differs fetches the page again for the new one."""
    return _fold_table(table, conference.ends_on, conference.today())[1]


@functools.lru_cache(maxsize=64)
def _fold_table(
    table: tuple[folds.Decoding, ...], ends_on: date, logged_on: date
) -> tuple[tuple[dict, ...], str]:
    """Return the card editor's rows of ``table``, due dates included, and a short
    fingerprint of them."""
    # Cached by content, as the table itself (folds.compile_table), so that each save at
    # the booth can say which table it decoded with at no cost.
    rows = []
    for decoding in table:
        due = folds.due_on(ends_on, logged_on, decoding.window_days)
        rows.append({**decoding.as_json(), "due_on": due.isoformat(), "due": f"{due:%a %-d %b}"})
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    return tuple(rows), digest[:16]


def _card_json(request: HttpRequest, logged: services.Logged, fold_table_version: str) -> dict:
    """Return the saved card as the booth's script shows it, with the fingerprint of the
    table its page should decode with now."""
    card = logged.card
    context = {"card": card, "decoding": logged.decoding, "met_before": logged.met_before}
    return {
        "id": card.pk,
        "client_uuid": str(card.client_uuid),
        "contact": {
            "id": card.contact.pk,
            "name": card.contact.name,
            "display_name": card.contact.display_name,
            "company": card.contact.company,
            "email": card.contact.email,
        },
        "folds": card.fold_codes,
        "meanings": [m.slug for m in logged.decoding.meanings],
        "unmapped": logged.decoding.unmapped_codes,
        "priority": card.priority,
        "due_on": card.due_on.isoformat(),
        "met_before": logged.met_before,
        "confirmation_html": render_to_string("events/_booth_saved.html", context, request),
        "row_html": render_to_string("events/_booth_row.html", context, request),
        "fold_table_version": fold_table_version,
    }


def _queued_by_someone_else(request: HttpRequest) -> bool:
    """Return True if the booth's script sends a card queued on this browser by another
    user than the one logged in now (its ``logged_by``): a page left open across a logout."""
    logged_by = request.POST.get("logged_by", "")
    return logged_by != "" and logged_by != str(request.user.pk)


def _booth_consent(request: HttpRequest) -> dict:
    """Return the card form's initial consent: the one chosen last in this session."""
    return {"consent": request.session.get(BOOTH_CONSENT, "")}


def _keep_booth_consent(request: HttpRequest, consent: str) -> None:
    """Keep ``consent`` as the session's choice for the next cards (a session saved only
    when it changes: a save writes nothing more)."""
    if request.session.get(BOOTH_CONSENT, "") != consent:
        request.session[BOOTH_CONSENT] = consent


@permission_required("contacts.log_cards", raise_exception=True)
@require_http_methods(["GET", "POST"])
def booth(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _get_conference(slug)
    # Bound on every POST, an empty one too: it is told what a card needs.
    data = request.POST if request.method == "POST" else None
    form = CardForm(data, request.FILES or None, initial=_booth_consent(request), chosen_names=True)
    status = 200
    if request.method == "POST":
        conflict = None
        if _queued_by_someone_else(request):
            conflict = ("logged_by", QUEUED_BY_SOMEONE_ELSE)
        elif form.is_valid():
            # The decoder the save reads anyway, so that its answer can say which table
            # the page should decode with.
            decoder = services.Decoder.of(request.user)
            try:
                logged = services.log_card(conference, request.user, form.to_input(), decoder)
            except services.ReplayConflict:
                conflict = ("client_uuid", REPLAY_CONFLICT)
            else:
                _keep_booth_consent(request, form.cleaned_data["consent"])
                if wants_json(request):
                    status = 201 if logged.created else 200
                    version = _fold_table_version(conference, decoder.table)
                    return JsonResponse(_card_json(request, logged, version), status=status)
                url = reverse("events-booth", args=[conference.slug])
                return redirect(f"{url}?saved={logged.card.pk}")
        if conflict is None:
            errors, status = form_errors(form), 400
        else:
            field, message = conflict
            errors, status = {field: [message]}, 409
            form.add_error(None, message)
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=status)

    user_settings = UserSettings.of(request.user)
    if user_settings.last_conference_id != conference.pk:
        user_settings.last_conference = conference
        user_settings.save(update_fields=["last_conference"])
    latest = conference.cards.select_related("contact", "vocabulary").order_by("-logged_at")
    saved = None
    shown = request.GET.get("saved") or request.GET.get("edited") or ""
    if shown.isdecimal():
        saved = latest.filter(pk=shown).first()
        if saved is not None:
            saved = services.Logged.replay(saved)
    context = {
        "conference": conference,
        "form": form,
        **_editor_context(conference, user_settings.get_vocabulary().table(), conference.today()),
        "latest": queries.decode_cards(latest[:LATEST_AT_BOOTH]),
        "saved": saved,
        "edited": "edited" in request.GET,
        # Cards queued offline carry who logged them, to be sent in their session only.
        "booth_user": {"id": request.user.pk, "username": request.user.get_username()},
    }
    return render(request, "events/booth.html", context, status=status)


@permission_required("contacts.log_cards", raise_exception=True)
@require_GET
def booth_lookup(request: HttpRequest, slug: str) -> JsonResponse:
    """Return as JSON, for what is typed at the booth: the cards already logged at the
    conference of the person with that email (when, local time, and where to edit each),
    the people known that the card may be of ("same person?"), and the fingerprint of the
    table the page should decode with."""
    conference = _get_conference(slug)
    form = LookupForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form_errors(form)}, status=400)
    typed = form.cleaned_data
    today = conference.today()
    cards = []
    for card in queries.cards_with_email(conference, typed["email"]):
        logged_at = timezone.localtime(card.logged_at, conference.zone)
        when = "H:i" if logged_at.date() == today else "D j M, H:i"
        cards.append(
            {
                "id": card.pk,
                "name": card.contact.display_name,
                "logged_at": logged_at.isoformat(),
                "when": dateformat.format(logged_at, when),
                "logged_by": card.logged_by.get_username() if card.logged_by else "",
                "edit_url": reverse("events-booth-card", args=[conference.slug, card.pk]),
            }
        )
    people = duplicates.possible_matches(
        typed["email"], typed["phone"], typed["name"], typed["company"], conference.country or None
    )
    # Read with the user (services.Decoder.of): no query of its own.
    version = _fold_table_version(conference, services.Decoder.of(request.user).table)
    return JsonResponse(
        {"cards": cards, "people": [_person_json(p) for p in people], "fold_table_version": version}
    )


def _person_json(person) -> dict:
    """Return a known person as the booth's "same person?" shows them."""
    said = ", ".join(filter(None, (person.display_name, person.company_beside_name)))
    if person.met_at:
        said += f", met at {person.met_at}"
    return {
        "id": person.pk,
        "name": person.display_name,
        "company": person.company,
        "met_at": person.met_at or "",
        "text": said,
        "url": person.get_absolute_url(),
    }


@permission_required("contacts.log_cards", raise_exception=True)
@require_http_methods(["GET", "POST"])
def booth_card(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit a card logged at the booth: folds, the person's details, note and photo."""
    conference = _get_conference(slug)
    card = _get_card(conference, pk)
    contact = card.contact
    initial = {
        "folds": card.folds,
        "note": card.note,
        "version": card.version,
        "consent": card.consent,
        **{f: getattr(contact, f) for f in (*services.CONTACT_DETAILS, "email")},
    }
    data = request.POST if request.method == "POST" else None
    form = CardForm(data, request.FILES or None, initial=initial, has_photo=bool(card.photo))
    if request.method == "POST" and form.is_valid() and not _asked_to_give(form, card):
        try:
            services.update_card(card, form.to_input(), by=request.user)
        except services.EditConflict:
            messages.error(
                request,
                "Someone else changed this card while you were editing it. Here it is as they "
                "left it: make your change again.",
            )
            return redirect("events-booth-card", conference.slug, card.pk)
        url = reverse("events-booth", args=[conference.slug])
        # Not "saved": the booth's undo of a saved card removes it, and an edit is no new
        # card to take back.
        return redirect(f"{url}?edited={card.pk}")
    context = {
        "conference": conference,
        "card": card,
        "form": form,
        **_editor_context(
            conference,
            card.vocabulary.table(),
            timezone.localdate(card.logged_at, conference.zone),
        ),
    }
    return render(request, "events/booth_card.html", context, status=400 if form.errors else 200)


def _asked_to_give(form: CardForm, card: Card) -> bool:
    """Return whether the edit ``form`` gives the card another person's email, whom it
    would move to, without saying that the card is theirs; if so, ask on the form (an error
    of its email, the person's id in its ``contact`` field, so that saving again says so)."""
    email = form.cleaned_data["email"]
    known = queries.moved_to(card, email, form.cleaned_data["contact"])
    if known is None:
        return False
    form.data = form.data.copy()
    form.data["contact"] = known.pk
    form.add_error(
        "email",
        sentence(
            f"{Contact.normalize_email(email)} is the email of {known.display_name}"
            + (f" ({known.company_beside_name})" if known.company_beside_name else "")
            + f". Save again to give this card to them: {services.what_a_move_does(card)}. "
            "Or give another email"
            + (" (and choose the photo again: it was not kept)" if form.files else "")
        ),
    )
    return True


@permission_required("contacts.log_cards", raise_exception=True)
@require_POST
def booth_undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = _get_conference(slug)
    card = _get_card(conference, pk)
    if not rules.can_undo(request.user, card):
        raise PermissionDenied("Only the person who logged a card, or a manager, can undo it.")
    services.remove_card(card)
    messages.success(request, sentence(f"Removed the card of {card.contact}"))
    return redirect("events-booth", conference.slug)


@permission_required("contacts.log_cards", raise_exception=True)
@require_GET
def card_photo(request: HttpRequest, slug: str, pk: int, kind: str) -> FileResponse:
    """Serve a card's photo or thumbnail to logged-in users only: it is personal data."""
    conference = _get_conference(slug)
    card = _get_card(conference, pk)
    field = {"photo": card.photo, "thumbnail": card.thumbnail}.get(kind)
    if not field:
        raise Http404("This card has no photo.")
    return _photo_file(field, f"{slugify(str(card.contact)) or 'card'}-{kind}.jpg")


def _photo_file(field, filename: str) -> FileResponse:
    """Stream a stored photo as an attachment named ``filename``: a 404 if the photo
    storage has no such file, a 503 if it fails to read it."""
    with storage.reached():
        try:
            opened = field.open("rb")
        except FileNotFoundError as e:
            raise Http404("The photo is missing from the photo storage.") from e
    return FileResponse(opened, as_attachment=True, filename=filename)


@permission_required("contacts.log_cards", raise_exception=True)
@require_POST
def booth_read(request: HttpRequest, slug: str) -> JsonResponse:
    """Read a card's photo and answer what it says (fields, folds); nothing is saved."""
    conference = _get_conference(slug)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"errors": form_errors(form)}, status=400)
    try:
        answer = reading.read_card(
            form.cleaned_data["photo"],
            default_region=conference.country or None,
            time_limit=settings.READING_TIME_LIMIT,
        )
    except reading.UnreadableImage as e:
        return JsonResponse({"errors": {"photo": [str(e)]}}, status=400)
    return JsonResponse(answer.as_json())


STACK_STORAGE_FAILED = (
    "the photo storage did not answer, so these photos were not saved (those listed as "
    "added were). Upload them again in a moment; if this goes on, the photo storage's "
    "settings need checking."
)


@permission_required("contacts.log_cards", raise_exception=True)
@require_http_methods(["GET", "POST"])
def stack(request: HttpRequest, slug: str) -> HttpResponse:
    """Read a stack of cards brought home: upload their photos, each read in the
    background, then review them one by one."""
    conference = _get_conference(slug)
    # Bound on every POST, an empty one too: that says which photos are missing.
    form = StackForm(request.POST, request.FILES) if request.method == "POST" else StackForm()
    if form.is_bound and form.is_valid():
        added, refused, status = [], [], 200
        uploads = form.cleaned_data["photos"]
        for i, upload in enumerate(uploads):
            try:
                kept = services.add_stack_photo(
                    conference, request.user, upload.read(), upload.name
                )
            except photos.PhotoError as e:
                refused.append(f"{upload.name}: {e}")
            except storage.Unavailable:
                logger.exception("The photo storage failed on a stack photo")
                names = ", ".join(u.name for u in uploads[i:])
                refused.append(f"{names}: {STACK_STORAGE_FAILED}")
                status = 503
                break
            else:
                added.append(kept)
        if status == 200 and refused and not added:
            status = 400
        if wants_json(request):
            body = {"photos": [_stack_photo_json(p) for p in added], "refused": refused}
            return JsonResponse(body, status=status)
        if added:
            messages.success(request, f"{len(added)} photo{pluralize(len(added))} added.")
        for problem in refused:
            messages.error(request, problem)
        return redirect("events-stack", conference.slug)
    if request.method == "POST" and wants_json(request):
        return JsonResponse({"errors": form_errors(form)}, status=400)
    kept = list(conference.stack_photos.exclude(state=StackPhoto.State.DISCARDED))
    context = {"conference": conference, "form": form, "photos": kept, **_progress(kept)}
    if wants_json(request):
        return JsonResponse({"photos": [_stack_photo_json(p) for p in kept], **_progress(kept)})
    return render(request, "events/stack.html", context, status=400 if form.errors else 200)


def _progress(photos: list[StackPhoto]) -> dict:
    """Return how many of the stack's photos are in each state, and the share read."""
    counts = Counter(p.state for p in photos)
    read = len(photos) - counts[StackPhoto.State.WAITING]
    return {
        "counts": {state: counts[state] for state in StackPhoto.State.values},
        "percent": _percent(read, len(photos)),
    }


def _stack_photo_json(stack_photo: StackPhoto) -> dict:
    return {"id": stack_photo.pk, "name": stack_photo.name, "state": stack_photo.state}


@permission_required("contacts.log_cards", raise_exception=True)
@require_http_methods(["GET", "POST"])
def stack_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Review the stack's next read photo: its fields and folds as read, ready to fix;
    Enter logs the card and brings up the next."""
    conference = _get_conference(slug)
    pending = conference.stack_photos.filter(
        state__in=[StackPhoto.State.READ, StackPhoto.State.FAILED]
    )
    if request.method == "POST":
        photo_id = request.POST.get("photo", "")
        stack_photo = get_object_or_404(pending, pk=int(photo_id) if photo_id.isdecimal() else 0)
    else:
        stack_photo = pending.first()
    if stack_photo is None:
        return render(request, "events/stack_review.html", {"conference": conference})
    if request.method == "POST" and "discard" in request.POST:
        stack_photo.state = StackPhoto.State.DISCARDED
        stack_photo.save(update_fields=["state"])
        return redirect("events-stack-review", conference.slug)
    # The consent chosen stays for the next card, as at the booth (the same session's).
    initial = {**_reviewed(stack_photo.reading or {}), **_booth_consent(request)}
    form = CardForm(request.POST or None, initial=initial, has_photo=True)
    if request.method == "POST" and form.is_valid():
        logged = services.log_stack_photo(stack_photo, request.user, form.to_input())
        _keep_booth_consent(request, form.cleaned_data["consent"])
        messages.success(request, sentence(f"Logged {logged.card.contact.display_name}"))
        return redirect("events-stack-review", conference.slug)
    table = UserSettings.of(request.user).get_vocabulary().table()
    email = form["email"].value()
    context = {
        "conference": conference,
        "stack_photo": stack_photo,
        "form": form,
        # The cards here of the person with the email read, as the booth says while typing.
        "already": list(queries.cards_with_email(conference, email)) if email else [],
        "left": pending.count(),
        "reading": stack_photo.reading or {},
        **_editor_context(conference, table, conference.today()),
    }
    return render(request, "events/stack_review.html", context, status=400 if form.errors else 200)


def _reviewed(answer: dict) -> dict:
    """Return the card form's initial values from what was read: the fields, and the folds
    the reader is fairly sure of."""
    initial = {name: field["value"] for name, field in answer.get("fields", {}).items()}
    codes = [fold["code"] for fold in answer.get("folds", []) if fold["confidence"] >= 0.5]
    initial["folds"] = folds.parse_codes(codes)
    return initial


@permission_required("contacts.log_cards", raise_exception=True)
@require_GET
def stack_photo(request: HttpRequest, slug: str, pk: int, kind: str) -> FileResponse:
    """Serve a stack photo to booth staff only: it is personal data."""
    conference = _get_conference(slug)
    kept = get_object_or_404(conference.stack_photos, pk=pk)
    field = {"photo": kept.photo, "thumbnail": kept.thumbnail}.get(kind)
    if not field:
        raise Http404("No such photo.")
    return _photo_file(field, f"stack-{kept.pk}-{kind}.jpg")
