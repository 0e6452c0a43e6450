from __future__ import annotations

import json
import smtplib
from datetime import date
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.forms import ApiTokenForm
from contacts import emails, followups, merge, privacy, queries, rules, services
from contacts.forms import (
    UNDO_PREFIX,
    BulkActionForm,
    ContactForm,
    EmailForm,
    EmailManyForm,
    FollowupActionForm,
    FollowupFilterForm,
    FollowupStateFormSet,
    SavedFilterForm,
    UserSettingsForm,
    lines_as_typed,
    undo_data,
)
from contacts.models import Card, Contact, EmailBatch, SavedFilter, SentEmail, UserSettings
from contacts.templatetags.followup_days import followup_day
from foldcard.http import wants_json
from foldcard.text import sentence

ACTIONS = ("done", "snooze", "drop", "reopen", "assign", "restore")
User = get_user_model()


def _get_contact(pk: int) -> Contact:
    """Return the contact ``pk`` (everyone who works follow-ups sees every person), or
    raise 404."""
    return get_object_or_404(Contact, pk=pk)


def _get_card_for_user(request: HttpRequest, pk: int) -> Card:
    """Return the card ``pk`` if the user may work on it (rules.can_work), or raise 404."""
    return _workable(request, _get_card(pk))


def _workable(request: HttpRequest, card: Card) -> Card:
    """Return ``card`` if the user may work on it (rules.can_work), or raise 404."""
    if not rules.can_work(request.user, card):
        raise Http404("Not a follow-up that you may work on.")
    return card


def _get_card(pk: int, queryset: QuerySet[Card] | None = None) -> Card:
    """Return the card ``pk`` (everyone who works follow-ups sees every card on the team's
    list), with what its page shows, or raise 404."""
    queryset = Card.objects.all() if queryset is None else queryset
    return get_object_or_404(queries.with_row_data(queryset), pk=pk)


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
    return render_settings(request, form, ApiTokenForm(), status=400 if form.errors else 200)


def render_settings(
    request: HttpRequest, form: UserSettingsForm, token_form: ApiTokenForm, status: int
) -> HttpResponse:
    """Render the settings page with its vocabulary form and its form for a new API token,
    either of them as posted when it was refused."""
    context = {
        "form": form,
        "tokens": request.user.api_tokens.select_related("conference"),
        "token_form": token_form,
    }
    return render(request, "contacts/settings.html", context, status=status)


@permission_required("contacts.work_followups", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """A person: their details, editable by who may (rules.can_edit_contact), and every
    card of theirs, newest first, with its outcome and the emails sent."""
    person = _get_contact(pk)
    can_edit = rules.can_edit_contact(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only booth staff and managers can edit a person.")
    data = request.POST if request.method == "POST" else None  # an empty POST is told why
    form = ContactForm(data, initial=ContactForm.initial_of(person))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.edit_contact(person, form.to_input(), queries.region_of(person))
            except services.EditConflict:
                person = _get_contact(pk)
                now = ContactForm.initial_of(person)
                form = ContactForm(initial=now)
                form.conflict = (
                    "Someone else changed this person while you were editing. Here they are "
                    "as they left them: make your change again. Nothing was saved."
                )
                # What the refused form had beside what the person has now, to copy from.
                posted = {name: lines_as_typed(data.get(name, "")) for name in now}
                form.typed = [
                    (form[name].label, value, now[name])
                    for name, value in posted.items()
                    if name != "version" and value != now[name]
                ]
                status = 409
            except services.EmailTaken as e:
                form.add_error("emails", f"{e} Merge the two people instead.")
                form.taken_by = e.owner
            else:
                messages.success(request, sentence(f"Saved {person}"))
                return redirect(person)
    cards = person.cards.select_related("conference", "vocabulary", "state_changed_by")
    cards = cards.order_by("-logged_at").prefetch_related("emails__sent_by")
    merges = list(person.merges.select_related("merged_by", "undone_by"))
    for each in merges:
        each.kept = person
        each.undoable = merge.can_undo(each)
    context = {
        "contact": person,
        "cards": queries.decode_cards(cards),
        "form": form,
        "can_edit": can_edit,
        "editing": status != 200,
        "merges": merges,
        "can_merge": rules.can_merge(request.user),
    }
    return render(request, "contacts/contact.html", context, status=status)


@permission_required(rules.MANAGE, raise_exception=True)
@require_GET
def person_data(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Return everything kept about the person, as JSON or as a vCard (access request)."""
    person = _get_contact(pk)
    if kind == "json":
        body = json.dumps(privacy.person_data(person), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(
            privacy.person_vcard(person), content_type="text/vcard; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.{kind}"'
    return response


@permission_required(rules.MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase the person and all their cards, after showing what goes."""
    person = _get_contact(pk)
    if request.method == "POST":
        erasure = privacy.erase_person(person, request.user)
        # The message names no one: it waits in the session until it is shown.
        messages.success(
            request,
            f"Erased one person: {erasure.cards} card{pluralize(erasure.cards)}, with their "
            "photos, notes and emails.",
        )
        return redirect("contacts-followups")
    cards = person.cards.select_related("conference").order_by("-logged_at")
    context = {
        "contact": person,
        "cards": cards,
        "photos": sum(1 for card in cards if card.photo),
        "emails": SentEmail.objects.filter(card__contact=person).count(),
    }
    return render(request, "contacts/erase.html", context)


def _not_understood(form: FollowupFilterForm) -> str:
    """Say which filters of ``form`` are ignored, and why when a filter is too long; not
    what the address gave them, which a link could fill with any words."""
    said = []
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        label = field.label or name.capitalize() if field else "Their combination"
        too_long = any(error.code == "max_length" for error in errors)
        said.append(f"{label} (at most {field.max_length} characters)" if too_long else label)
    return sentence(f"Some filters were not understood, and are ignored: {', '.join(said)}")


@permission_required("contacts.work_followups", raise_exception=True)
@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    owners = _owners()
    form = FollowupFilterForm(request.GET or None, owners=owners)
    if form.is_bound and not form.is_valid():
        messages.error(request, _not_understood(form))
    filters = form.filters()
    cards = queries.followup_cards(request.user, today, filters)
    # Cards done or dropped are due no more: they are one group, named by their state.
    closed = filters.state in (Card.State.DONE, Card.State.DROPPED)
    found = queries.followup_page(
        cards,
        request.user,
        today,
        request.GET.get("page"),
        sort=form.order(),
        left=request.GET.get("left"),
        heading=dict(FollowupFilterForm.STATES)[filters.state] if closed else "",
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("left", None)
    context = {
        "form": form,
        "groups": found.groups,
        "page": found.page,
        "total": _total_text(found.counts),
        "query": query.urlencode(),
        "next_url": request.get_full_path(),
        "owners": _assignees(owners),
        "can_manage": rules.can_work_everyones(request.user),
        "saved_filters": request.user.saved_filters.all(),
        "save_form": SavedFilterForm(initial={"query": query.urlencode()}, owners=owners),
        # The days a snooze may end on (FollowupActionForm.clean_until).
        "snooze_days": followups.snooze_days(today),
        "reordering": queries.reordering(),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "contacts/followups.html", context, status=status)


@permission_required("contacts.work_followups", raise_exception=True)
@require_GET
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one follow-up whole: its note, photo, the person's other cards, the outcome box
    and the actions; as a page, or (``?panel=1``) as the list's side panel."""
    card = _get_card(pk, Card.objects.prefetch_related("emails__sent_by"))
    today = timezone.localdate()
    context = {
        "card": queries.followup_rows([card], request.user, today)[0],
        "person_cards": queries.person_cards(card),
        "next_url": _safe_next(request),
        "owners": _assignees(_owners()),
        "can_manage": rules.can_work_everyones(request.user),
        # The days a snooze may end on (FollowupActionForm.clean_until).
        "snooze_days": followups.snooze_days(today),
    }
    panel = request.GET.get("panel")
    template = "contacts/_followup_panel.html" if panel else "contacts/followup.html"
    return render(request, template, context)


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def followup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    if action == "assign" and not rules.can_work_everyones(request.user):
        raise PermissionDenied("Only a manager can hand a follow-up to someone else.")
    card = _get_card(pk)
    if action != "restore" and _handed_over(request, card):
        return _changed(request, card)
    _workable(request, card)
    if action == "restore":
        return _restore(request, card)
    form = FollowupActionForm(request.POST, action=action, today=timezone.localdate())
    if not form.is_valid():
        return _refused(request, form.errors.get_json_data())
    try:
        return _act(request, card, action, form.cleaned_data)
    except services.EditConflict:
        return _changed(request, card)


def _handed_over(request: HttpRequest, card: Card) -> bool:
    """Return whether ``card`` went to someone the user may not work for since their page
    showed it (at the version posted): a change as any other."""
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:  # no version: "", "²", a number of 5,000 digits
        return False
    return 0 <= seen != card.version and not rules.can_work(request.user, card)


def _act(request: HttpRequest, card: Card, action: str, data: dict) -> HttpResponse:
    """Do ``action`` to the follow-up of ``card``, as the page showed it (``version``), and
    answer what was done; raise services.EditConflict, doing nothing, if it changed since."""
    version = data["version"]
    if action in services.WHOLE_FOLLOWUP_ACTIONS:
        before = services.work_followup(
            card, request.user, action, data["outcome"], data["days"] or 0, data["until"], version
        )
        done = sentence(f"{_did(card, action)}{_with_others(card, len(before) - 1)}")
        return _answer(request, card, done, [state.card_id for state in before], undo=before)
    if action == "reopen":
        services.reopen_followup(card, request.user, version)
        return _answer(request, card, sentence(f"Reopened {card.contact}"), [card.pk])
    before = [services.assign_followup(card, data["owner"], version)]
    done = f"{card.contact} is now followed up by {card.owner.get_username()}."
    return _answer(request, card, done, [card.pk], undo=before)


def _did(card: Card, action: str) -> str:
    """Return what ``action`` (of WHOLE_FOLLOWUP_ACTIONS) did to the follow-up of ``card``."""
    if action == "done":
        return f"Marked {card.contact} done"
    if action == "drop":
        return f"Dropped {card.contact}"
    return f"Snoozed {card.contact} until {followup_day(card.snoozed_until)}"


def _changed(request: HttpRequest, card: Card) -> HttpResponse:
    """Refuse an action on ``card`` from a page that showed it before someone changed it
    (409), naming it; a script gets the row as it is now too."""
    message = (
        f"Someone changed {card.contact} after you loaded this page, so nothing was done: "
        "it is as they left it."
    )
    errors = {"__all__": [{"message": message, "code": "changed"}]}
    if not wants_json(request):
        return _refused(request, errors, status=409)
    owners = _owners()
    body = {"errors": errors, "id": card.pk, "row_html": _row_html(request, card, [], owners)}
    return JsonResponse(body, status=409)


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def followup_bulk(request: HttpRequest, action: str) -> HttpResponse:
    """Do one action to every follow-up chosen on the list, in one go with one undo: each
    card the user may not work, or that changed since the list was loaded, is skipped and
    said."""
    if action not in services.BULK_ACTIONS:
        raise Http404("No such action.")
    if action == "assign" and not rules.can_work_everyones(request.user):
        raise PermissionDenied("Only a manager can hand a follow-up to someone else.")
    form = BulkActionForm(request.POST, action=action, today=timezone.localdate())
    if not form.is_valid():
        return _refused(request, form.errors.get_json_data())
    data = form.cleaned_data
    worked = services.work_followups(
        request.user,
        data["versions"],
        action,
        data["outcome"],
        data["days"] or 0,
        data["until"],
        data["owner"],
    )
    return _answer_many(request, worked, _did_many(action, worked, data["owner"]))


def _did_many(action: str, worked: services.BulkWorked, owner) -> str:
    """Return what a bulk action did, in words."""
    n = len(worked.worked)
    rows = f"{n} follow-up{'s' if n != 1 else ''}"
    if action == "done":
        did = f"Marked {rows} done"
    elif action == "drop":
        did = f"Dropped {rows}"
    elif action == "assign":
        did = f"Handed {rows} to {owner.get_username()}"
    else:
        did = f"Snoozed {rows}"
        if worked.worked:
            did += f" until {followup_day(worked.worked[0].snoozed_until)}"
    others = len(worked.before) - n
    if others:
        did += f", with {others} other card{'s' if others > 1 else ''} of the same people"
    return f"{did}."


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def followup_restore_many(request: HttpRequest) -> HttpResponse:
    """Put back the follow-up states a bulk action changed (its one undo)."""
    states = _undo_states(request)
    if isinstance(states, HttpResponse):
        return states
    try:
        restored = services.restore_many(request.user, states)
    except Card.DoesNotExist as e:
        raise Http404("Not follow-ups that you may work on.") from e
    return _answer_many(request, restored, _put_back(restored))


def _put_back(restored: services.BulkWorked, card: Card | None = None) -> str:
    """Return what an undo did, in words: the follow-up of ``card``, or many cards."""
    n = len(restored.worked)
    if not n:
        return "Put nothing back."
    if card is not None and not restored.skipped:
        return f"Put {card.contact} back as it was{_with_others(card, n - 1)}."
    return f"Put {n} card{'s' if n != 1 else ''} back as they were."


def _answer_many(request: HttpRequest, worked: services.BulkWorked, done: str) -> HttpResponse:
    """Answer a bulk action (or its undo): back to the list with ``done`` and what was
    skipped as messages, or, to a script, the rows again, the skipped cards, the list's new
    counts and the undo."""
    if not wants_json(request):
        _say(request, done, worked.skipped)
        return _back(request)
    today = timezone.localdate()
    owners = _owners()
    ids = [card.pk for card in worked.worked] + [each.card_id for each in worked.skipped]
    changed = [state.card_id for state in worked.before]
    context = {
        "next_url": _safe_next(request),
        "owners": _assignees(owners),
        "can_manage": rules.can_work_everyones(request.user),
    }
    cards = queries.changed_rows(ids, request.user, today, changed)
    rows = {
        card.pk: render_to_string("contacts/_followup_row.html", {**context, "card": card}, request)
        for card in cards
    }
    body = {
        "message": done,
        "skipped": _skipped_json(worked.skipped),
        "rows": rows,
        "counts": _list_counts(request, today, owners, cards),
    }
    if worked.before:
        body["undo"] = {
            "url": reverse("contacts-followup-restore-many"),
            "data": undo_data(worked.before),
        }
    return JsonResponse(body)


def _say(request: HttpRequest, done: str, skipped: list[services.Skipped]) -> None:
    """Say ``done``, and the cards ``skipped`` with why, as messages of the next page."""
    messages.success(request, done)
    if skipped:
        messages.warning(request, _left_as_they_were(skipped))


def _left_as_they_were(skipped: list[services.Skipped]) -> str:
    """Return which cards an action skipped, and why, in words."""
    return f"Left as they were: {'; '.join(f'{each.name}: {each.reason}' for each in skipped)}."


def _skipped_json(skipped: list[services.Skipped]) -> list[dict]:
    """Return the cards ``skipped`` with why, as a script is told them."""
    return [{"id": each.card_id, "name": each.name, "reason": each.reason} for each in skipped]


def _restore(request: HttpRequest, card: Card) -> HttpResponse:
    """Put back the follow-up states an action changed (its undo)."""
    states = _undo_states(request)
    if isinstance(states, HttpResponse):
        return states
    try:
        restored = services.restore_followups(card, request.user, states)
    except Card.DoesNotExist as e:
        raise Http404("Not one follow-up that you may work on.") from e
    changed = [each.pk for each in restored.worked]
    return _answer(request, card, _put_back(restored, card), changed, skipped=restored.skipped)


def _undo_states(request: HttpRequest) -> list[services.FollowupState] | HttpResponse:
    """Return the states an undo puts back, or the answer refusing them."""
    formset = FollowupStateFormSet(request.POST, prefix=UNDO_PREFIX)
    if not formset.is_valid():
        errors = formset.non_form_errors().get_json_data()
        for form in formset:
            errors += [e for field in form.errors.get_json_data().values() for e in field]
        return _refused(request, {UNDO_PREFIX: errors})
    return [form.to_state() for form in formset]


def _with_others(card: Card, others: int) -> str:
    if not others:
        return ""
    return f", with {others} other card{'s' if others > 1 else ''} from {card.conference}"


def _refused(request: HttpRequest, errors: dict, status: int = 400) -> HttpResponse:
    """Answer a follow-up action refused for ``errors`` (a form's JSON errors) with a 400,
    or ``status``."""
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=status)
    problems = [e["message"] for v in errors.values() for e in v]
    context = {"problems": problems, "next_url": _safe_next(request)}
    return render(request, "contacts/action_error.html", context, status=status)


def _answer(
    request: HttpRequest,
    card: Card,
    done: str,
    changed: list[int],
    undo: list[services.FollowupState] | None = None,
    skipped: list[services.Skipped] | None = None,
) -> HttpResponse:
    """Answer a follow-up action on ``card``: back to the list with ``done`` (and the cards
    ``skipped``) as messages, or, to a script, the row again (with the other cards the
    action ``changed``), the list's new counts, and how to ``undo`` it: the states to put
    back."""
    skipped = skipped or []
    if not wants_json(request):
        _say(request, done, skipped)
        return _back(request)
    owners = _owners()
    body = {
        "id": card.pk,
        "state": card.state,
        "message": done,
        "skipped": _skipped_json(skipped),
        "row_html": _row_html(request, card, changed, owners),
        "counts": _list_counts(request, timezone.localdate(), owners, [card]),
    }
    if undo:
        url = reverse("contacts-followup-action", args=[card.pk, "restore"])
        body["undo"] = {"url": url, "data": undo_data(undo)}
    return JsonResponse(body)


def _row_html(request: HttpRequest, card: Card, changed: list[int], owners: list) -> str:
    """Return the list's row of ``card``, with the other cards an action ``changed``."""
    today = timezone.localdate()
    context = {
        "card": queries.followup_row(card, request.user, today, set(changed) - {card.pk}),
        "next_url": _safe_next(request),
        "owners": _assignees(owners),
        "can_manage": rules.can_work_everyones(request.user),
    }
    return render_to_string("contacts/_followup_row.html", context, request)


def _list_counts(request: HttpRequest, today: date, owners: list, rows: list[Card]) -> dict | None:
    """Return the counts of the follow-up list the action was sent from (its ``next``),
    rows in all and per due bucket, and whether each of the action's ``rows`` is still in
    it (a row worked in place leaves it: the next page starts a row sooner), or None if it
    was not sent from the list."""
    target = urlsplit(_safe_next(request))
    if target.path != reverse("contacts-followups"):
        return None
    form = FollowupFilterForm(QueryDict(target.query) or None, owners=owners)
    cards = queries.followup_cards(request.user, today, form.filters())
    buckets = queries.followup_counts(queries.first_per_person(cards), today)
    total = sum(buckets.values())
    shown = {key: queries.shown_count(count) for key, count in buckets.items()}
    shown[queries.ALL] = queries.shown_total(buckets)  # a list not grouped by due bucket
    found = cards.filter(queries.people_of(rows)).values_list("contact_id", "conference_id")
    listed = set(found.distinct())
    return {
        "total": total,
        "buckets": buckets,
        "shown": {"total": _total_text(buckets), **shown},
        "listed": {row.pk: (row.contact_id, row.conference_id) in listed for row in rows},
    }


def _total_text(counts: dict[str, int]) -> str:
    """Return how the follow-up list's header says how many rows it has."""
    return f"{queries.shown_total(counts)} follow-up{pluralize(sum(counts.values()))}"


def _owners() -> list:
    """Return whose follow-ups the list can be filtered by (queries.filterable_owners),
    each with ``may_own``, whether they can be given a follow-up."""
    may_own = Q(pk__in=rules.followup_owners().values("pk"))
    users = queries.filterable_owners().annotate(may_own=may_own)
    return list(users.order_by("username"))


def _assignees(owners: list) -> list:
    """Return those of ``owners`` who can be given a follow-up, for the assign lists."""
    return [user for user in owners if user.may_own]


def _safe_next(request: HttpRequest) -> str:
    """Return the page the action came from if it is one of ours, else the list."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("contacts-followups")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request))


@permission_required("contacts.work_followups", raise_exception=True)
@require_http_methods(["GET", "POST"])
def followup_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to the card's person from foldcard: the meaning's template, editable, sent and
    recorded on the card; then mark the card done, snooze it, or leave it."""
    card = _get_card_for_user(request, pk)
    today = timezone.localdate()
    queries.decode_cards([card])
    subject, body = emails.draft(card)
    initial = {"subject": subject, "body": body, "version": card.version}
    form = EmailForm(request.POST or None, today=today, initial=initial)
    status, problem = 200, ""
    unsendable = _unsendable(card)
    if unsendable:
        problem = unsendable
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["version"] != card.version:
            problem = (
                f"Someone changed {card.contact} after you opened this email (it is "
                f"{card.get_state_display().lower()} now), so it was not sent. Send it again "
                "if it should still go."
            )
            # Sent again from here, it goes to the card as it is now.
            form = EmailForm({**request.POST.dict(), "version": card.version}, today=today)
            status = 409
        else:
            try:
                emails.send_followup(card, request.user, data["subject"], data["body"])
            except (smtplib.SMTPException, OSError) as e:
                problem = f"The email could not be sent ({e}). Nothing was recorded."
                status = 503
            else:
                _after_email(request, card, data)
                return _back(request)
    elif form.errors:
        status = 400
    context = {
        "card": card,
        "form": form,
        "problem": problem,
        "sendable": not unsendable,
        "mailto_url": emails.mailto_url(card),
        "next_url": _safe_next(request),
    }
    return render(request, "contacts/email.html", context, status=status)


def _unsendable(card: Card) -> str:
    """Return why foldcard may not email the person of ``card``, or "" if it may."""
    if not card.contact.email:
        return f"{card.contact.display_name} has no email address."
    if not rules.may_be_emailed(card):
        return f"{card.contact.display_name} {rules.DECLINED}."
    return ""


def _after_email(request: HttpRequest, card: Card, data: dict) -> None:
    """Do to the follow-up of ``card`` what the composer said to do once its email was
    sent (``then``), unless someone changed the card while it was sent; say so."""
    then = ""
    try:
        if data["then"] in services.WHOLE_FOLLOWUP_ACTIONS:
            services.work_followup(
                card,
                request.user,
                data["then"],
                data["outcome"],
                until=data["next_on"],
                version=card.version,
            )
            then = " " + sentence(_did(card, data["then"]))
    except services.EditConflict:
        messages.warning(
            request,
            f"Sent to {card.contact.email}, but someone changed {card.contact} meanwhile: it "
            "is as they left it.",
        )
    else:
        messages.success(request, f"Sent to {card.contact.email}.{then}")


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def followup_email_many(request: HttpRequest) -> HttpResponse:
    """Email each chosen card's person their own follow-up, in the background; a card
    changed since the list was loaded is left out and named."""
    form = EmailManyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _refused(request, form.errors.get_json_data())
    data = form.cleaned_data
    batch, skipped = services.email_followups(
        request.user, data["cards"], data["versions"], data["mark_done"]
    )
    if batch is None:
        messages.warning(request, f"Not emailed. {_left_as_they_were(skipped)}")
        return _back(request)
    return redirect("contacts-email-batch", batch.pk)


@permission_required("contacts.work_followups", raise_exception=True)
@require_GET
def email_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """Show how far a batch of follow-up emails has got."""
    batches = EmailBatch.objects.all()
    if not rules.can_work_everyones(request.user):
        batches = batches.filter(created_by=request.user)
    batch = get_object_or_404(batches, pk=pk)
    progress = {
        "total": batch.total,
        "sent": batch.sent,
        "failed": batch.failed,
        # Left out when the batch was made; the rest of the problems are the failed.
        "left_out": len(batch.problems) - batch.failed,
        "problems": batch.problems,
        "finished": batch.finished_at is not None,
    }
    if wants_json(request):
        return JsonResponse(progress)
    return render(request, "contacts/email_batch.html", {"batch": batch, **progress})


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Keep the follow-up list's filters and sort under a name of the user's; a name used
    already is given the new filters."""
    form = SavedFilterForm(request.POST, instance=SavedFilter(owner=request.user), owners=_owners())
    if not form.is_valid():
        return _refused(request, form.errors.get_json_data())
    # Found by name as it is saved (update_or_create finds one saved meanwhile): the same
    # name saved twice at once, a double click, is one saved filter.
    saved, _ = SavedFilter.objects.update_or_create(
        owner=request.user, name=form.cleaned_data["name"], defaults=form.cleaned_data
    )
    messages.success(request, f"Saved as “{saved.name}”.")
    return redirect(saved.get_absolute_url())


@permission_required("contacts.work_followups", raise_exception=True)
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget one of the user's saved filters."""
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, f"Forgot “{saved.name}”.")
    return redirect("contacts-followups")
