"""The vocabulary editor: meanings and rules edited in place, each change previewed by the
fold engine before it is saved, its history with reverts, copies, and the vocabulary file.

Every edit is posted by its own row's form; ``preview`` in the post asks what the change
would do instead of saving it ("fragment": the preview alone, for the page's script).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import folds, queries, rules, vocabularies
from contacts.forms import (
    CopyVocabularyForm,
    MeaningForm,
    RuleForm,
    VocabularyImportForm,
    VocabularySettingsForm,
)
from contacts.models import Meaning, UserSettings, Vocabulary, VocabularyChange
from contacts.vocabularies import Kind, VocabularyError
from foldcard.text import sentence

HISTORY = 50


def _get_vocabulary_for_user(request: HttpRequest, pk: int) -> Vocabulary:
    """Return the vocabulary ``pk`` if the user sees it (shared, their own, or any for an
    editor) and may work with vocabularies at all; raise 403 or 404."""
    if not rules.can_copy_vocabularies(request.user):
        raise PermissionDenied
    visible = Vocabulary.objects.filter(rules.visible_vocabularies(request.user))
    return get_object_or_404(visible.select_related("owner"), pk=pk)


def _get_editable_vocabulary(request: HttpRequest, pk: int, meanings: bool = False):
    """Return the vocabulary ``pk`` if the user may edit it (and the shared meanings,
    when ``meanings``); raise 403 or 404."""
    vocabulary = _get_vocabulary_for_user(request, pk)
    if not rules.can_edit_vocabulary(request.user, vocabulary):
        raise PermissionDenied
    if meanings and not rules.can_edit_meanings(request.user):
        raise PermissionDenied
    return vocabulary


@require_GET
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    """List the vocabularies: open one to edit it, copy it to make it yours, export it."""
    if not rules.can_copy_vocabularies(request.user):
        raise PermissionDenied
    return _list(request, VocabularyImportForm())


def _list(request: HttpRequest, import_form, problem: str = "", status: int = 200):
    found = Vocabulary.objects.filter(rules.visible_vocabularies(request.user))
    rows = [
        {
            "vocabulary": vocabulary,
            "editable": rules.can_edit_vocabulary(request.user, vocabulary),
            "copy_name": vocabularies.unique_name(
                f"{vocabulary.name} ({request.user})", request.user
            ),
        }
        for vocabulary in found.select_related("owner").order_by("owner_id", "name")
    ]
    context = {
        "rows": rows,
        "chosen": UserSettings.of(request.user).get_vocabulary(),
        "import_form": import_form if request.user.has_perm("contacts.add_vocabulary") else None,
        "problem": problem,
    }
    return render(request, "contacts/vocabularies.html", context, status=status)


@permission_required("contacts.add_vocabulary", raise_exception=True)
@require_POST
def vocabulary_import(request: HttpRequest) -> HttpResponse:
    """Import a vocabulary file as a new shared vocabulary; nothing is saved on any error."""
    form = VocabularyImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        vocabulary = vocabularies.import_vocabulary(
            form.cleaned_data["file"], request.user, form.cleaned_data["name"]
        )
    except VocabularyError as e:
        return _list(request, form, problem=f"{e} Nothing was imported.", status=400)
    messages.success(request, sentence(f"Imported {vocabulary.name}"))
    return redirect("contacts-vocabulary", vocabulary.pk)


@require_GET
def vocabulary_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the vocabulary as a JSON file, for vocabulary_import on another foldcard."""
    vocabulary = _get_vocabulary_for_user(request, pk)
    body = json.dumps(vocabularies.export_vocabulary(vocabulary), indent=2, ensure_ascii=False)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    name = slugify(vocabulary.name) or "vocabulary"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_POST
def vocabulary_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy the vocabulary as the user's own, to edit and pick on their settings page."""
    vocabulary = _get_vocabulary_for_user(request, pk)
    form = CopyVocabularyForm(request.POST)
    try:
        if not form.is_valid():
            raise VocabularyError(" ".join(form.errors["name"]))
        copy = vocabularies.copy_vocabulary(vocabulary, request.user, form.cleaned_data["name"])
    except VocabularyError as e:
        problem = f"{vocabulary.name} was not copied: {e}"
        return _list(request, VocabularyImportForm(), problem=problem, status=400)
    messages.success(
        request,
        f"{copy.name} is yours: edit it here, and pick it on your settings page to decode "
        "the cards you log with it.",
    )
    return redirect("contacts-vocabulary", copy.pk)


@require_http_methods(["GET", "POST"])
def vocabulary_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the vocabulary's editor; a post changes its own settings."""
    vocabulary = _get_editable_vocabulary(request, pk)
    if request.method == "GET":
        return _page(request, vocabulary)
    before = vocabularies.vocabulary_snapshot(vocabulary)
    form = VocabularySettingsForm(request.POST, instance=Vocabulary.objects.get(pk=pk))
    return _save(request, vocabulary, Kind.VOCABULARY, before, form, "settings")


@require_POST
def meaning_save(request: HttpRequest, pk: int, meaning: int | None = None) -> HttpResponse:
    """Change a meaning (shared by every vocabulary), or add one."""
    vocabulary = _get_editable_vocabulary(request, pk, meanings=True)
    instance = get_object_or_404(Meaning, pk=meaning) if meaning else Meaning()
    before = vocabularies.meaning_snapshot(instance) if meaning else None
    form = MeaningForm(request.POST, instance=instance)
    return _save(request, vocabulary, Kind.MEANING, before, form, f"meaning-{meaning or 'new'}")


@require_POST
def meaning_delete(request: HttpRequest, pk: int, meaning: int) -> HttpResponse:
    vocabulary = _get_editable_vocabulary(request, pk, meanings=True)
    before = vocabularies.meaning_snapshot(get_object_or_404(Meaning, pk=meaning))
    return _save(request, vocabulary, Kind.MEANING, before, None, f"meaning-{meaning}")


@require_POST
def rule_save(request: HttpRequest, pk: int, rule: int | None = None) -> HttpResponse:
    """Change a rule of the vocabulary, or add one."""
    vocabulary = _get_editable_vocabulary(request, pk)
    instance = get_object_or_404(vocabulary.rules, pk=rule) if rule else None
    before = vocabularies.rule_snapshot(instance) if instance else None
    form = RuleForm(request.POST, rule=instance)
    return _save(request, vocabulary, Kind.RULE, before, form, f"rule-{rule or 'new'}")


@require_POST
def rule_delete(request: HttpRequest, pk: int, rule: int) -> HttpResponse:
    vocabulary = _get_editable_vocabulary(request, pk)
    before = vocabularies.rule_snapshot(get_object_or_404(vocabulary.rules, pk=rule))
    return _save(request, vocabulary, Kind.RULE, before, None, f"rule-{rule}")


@require_POST
def change_revert(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    """Revert a change from the vocabulary's history, as a change of its own."""
    vocabulary = _get_editable_vocabulary(request, pk)
    found = get_object_or_404(_history(vocabulary), pk=change)
    if not rules.can_revert(request.user, found):
        raise PermissionDenied
    try:
        reverted = vocabularies.revert(found, request.user)
    except VocabularyError as e:
        return _page(request, vocabulary, error=f"Not reverted: {e}", key="history", status=400)
    messages.success(request, reverted.summary)
    return redirect(reverse("contacts-vocabulary", args=[vocabulary.pk]) + "#history")


def _history(vocabulary: Vocabulary):
    """Return the changes shown with the vocabulary: its own, and the shared meanings'."""
    changes = VocabularyChange.objects.filter(Q(vocabulary=vocabulary) | Q(kind=Kind.MEANING))
    return changes.select_related("changed_by", "vocabulary")


def _save(request: HttpRequest, vocabulary: Vocabulary, kind: str, before, form, key: str):
    """Save the change the row ``key`` posted (``form``, or None for a deletion), or show
    what it would do when asked for a preview; a refusal says why, with a 400."""
    mode = request.POST.get("preview", "")
    seen = request.POST.get("seen")
    if not mode and before is not None and seen and seen != vocabularies.fingerprint(before):
        # Saved over, the other edit would be lost without a word: the row shows it.
        problem = "Someone changed this since you loaded the page: here it is now. Nothing saved."
        return _page(request, vocabulary, key=key, error=problem, status=409)
    if form is not None and not form.is_valid():
        problem = " ".join(
            f"{form.fields[name].label}: {error}" if name in form.fields else error
            for name, errors in form.errors.items()
            for error in errors
        )
        return _refused(request, vocabulary, key, form, problem, mode)
    after = None if form is None else form.snapshot(before)
    if after == before and not mode:
        messages.info(request, "Nothing changed.")
        return redirect(reverse("contacts-vocabulary", args=[vocabulary.pk]) + f"#{key}")
    try:
        if mode:
            vocabularies.check_change(vocabulary, kind, before, after)
            preview = queries.vocabulary_preview(
                vocabulary, kind, before, after, request.user, timezone.localdate()
            )
        else:
            change = vocabularies.apply_change(vocabulary, request.user, kind, before, after)
    except VocabularyError as e:
        return _refused(request, vocabulary, key, form, str(e), mode)
    if mode == "fragment":
        return render(request, "contacts/_vocabulary_preview.html", {"preview": preview})
    if mode:
        return _page(request, vocabulary, key=key, form=form, preview=preview)
    messages.success(request, change.summary)
    return redirect(reverse("contacts-vocabulary", args=[vocabulary.pk]) + f"#{key}")


def _refused(request, vocabulary, key: str, form, problem: str, mode: str) -> HttpResponse:
    if mode == "fragment":
        context = {"problem": problem}
        return render(request, "contacts/_vocabulary_preview.html", context, status=400)
    return _page(request, vocabulary, key=key, form=form, error=problem, status=400)


def _seen(snapshot: dict | None) -> str:
    return vocabularies.fingerprint(snapshot) if snapshot is not None else ""


def _page(
    request: HttpRequest,
    vocabulary: Vocabulary,
    key: str = "",
    form=None,
    error: str = "",
    preview: queries.Preview | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the editor, the row ``key`` with the form posted, its error or preview."""

    def row(row_key: str, default, snapshot: dict | None = None, **extra) -> dict:
        mine = row_key == key
        # What it showed: a row posted (a refusal, a preview, of an edit or a deletion)
        # keeps what it was loaded with; one shown anew after a conflict, what it is now.
        posted = mine and request.method == "POST" and status != 409
        return {
            "key": row_key,
            "form": form if mine and form is not None else default,
            "error": error if mine else "",
            "preview": preview if mine else None,
            "seen": request.POST.get("seen", "") if posted else _seen(snapshot),
            **extra,
        }

    history = list(_history(vocabulary)[:HISTORY])
    for change in history:
        change.revertable = rules.can_revert(request.user, change)
    rule_list = vocabulary.rules.prefetch_related("meanings").order_by("pattern")
    table = vocabulary.table()
    context = {
        "vocabulary": vocabulary,
        "edit_meanings": rules.can_edit_meanings(request.user),
        "settings_row": row(
            "settings",
            VocabularySettingsForm(instance=vocabulary),
            vocabularies.vocabulary_snapshot(vocabulary),
        ),
        "meaning_rows": [
            row(
                f"meaning-{m.pk}",
                MeaningForm(instance=m),
                vocabularies.meaning_snapshot(m),
                meaning=m,
            )
            for m in Meaning.objects.all()
        ]
        + [row("meaning-new", MeaningForm(instance=Meaning()))],
        "rule_rows": [
            row(
                f"rule-{r.pk}",
                RuleForm(rule=r),
                vocabularies.rule_snapshot(r),
                rule=r,
                decoding=table[r.pattern],
            )
            for r in rule_list
        ]
        + [row("rule-new", RuleForm())],
        "meanings": Meaning.objects.all(),
        "history": history,
        "history_error": error if key == "history" else "",
        "table_rows": [
            {"keys": folds.to_keys(d.folds), "codes": folds.to_codes(d.folds), "decoding": d}
            for d in table
        ],
        "fold_table": [
            {**d.as_json(), "due": f"the last day + {d.window_days} day{pluralize(d.window_days)}"}
            for d in table
        ],
        "fold_keys": [[code, folds.to_keys(bit)] for code, bit in folds.BITS.items()],
    }
    return render(request, "contacts/vocabulary.html", context, status=status)
