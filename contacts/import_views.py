"""The pages of an import: upload a file (into a conference, or into contacts only), check
its preview and column mapping, import it, and see how it went. The work is done by
contacts.imports, in the background (contacts.tasks)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from contacts import imports, tasks
from contacts.forms import ImportFileForm, ImportMappingForm
from contacts.models import Import
from events.models import Conference

# Importing is the managers' work with a conference's data, as exporting is.
IMPORT = "contacts.export_cards"
# What a multipart request adds to the file's own bytes (boundaries, the CSRF token).
FORM_OVERHEAD = 64 * 1024


def _get_import_for_user(request: HttpRequest, pk: int) -> Import:
    """Return the import ``pk`` if the user started it, or raise 404."""
    queryset = Import.objects.select_related("conference")
    return get_object_or_404(queryset, pk=pk, created_by=request.user)


# Exempt from the CSRF middleware, which would read the whole body for the token before
# the size is known: _upload refuses a file too large from its Content-Length first, then
# _upload_form checks the token.
@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
@csrf_exempt
def conference_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Import a file of people as cards of a conference."""
    return _upload(request, get_object_or_404(Conference, slug=slug))


@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
@csrf_exempt
def contacts_upload(request: HttpRequest) -> HttpResponse:
    """Import a file of people as contacts only, without cards."""
    return _upload(request, None)


def _upload(request: HttpRequest, conference: Conference | None) -> HttpResponse:
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # no body is read then
        try:
            imports.check_size(length, FORM_OVERHEAD)
        except imports.BadFile as e:
            context = {"conference": conference, "form": ImportFileForm(), "problem": str(e)}
            return render(request, "contacts/import_upload.html", context, status=400)
    return _upload_form(request, conference)


@csrf_protect
def _upload_form(request: HttpRequest, conference: Conference | None) -> HttpResponse:
    form = ImportFileForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if form.is_bound and form.is_valid():
        try:
            upload = imports.start(form.cleaned_data["file"], conference, request.user)
        except imports.BadFile as e:
            form.add_error("file", str(e))
        else:
            tasks.check_import.enqueue(upload.pk)
            return redirect(upload)
    context = {"conference": conference, "form": form}
    return render(
        request, "contacts/import_upload.html", context, status=400 if form.errors else 200
    )


@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Show what importing the file would do, row by row, with what each column is; a
    POST changes what the columns are, and the file is checked again."""
    upload = _get_import_for_user(request, pk)
    cards = upload.conference_id is not None
    form = _mapping_form(upload, request.POST or None)
    problem = ""
    if request.method == "POST":
        if upload.state not in (Import.State.CHECKED, Import.State.FAILED) or not upload.file:
            problem = "The columns can no longer change: this file is being imported, or was."
        elif form.is_valid():
            try:
                imports.check_mapping(imports.Source.of(upload), form.mapping(), cards)
            except imports.BadFile as e:
                problem = str(e)
            else:
                upload.mapping = form.mapping()
                upload.state = Import.State.CHECKING
                upload.rows = 0
                upload.save(update_fields=["mapping", "state", "rows"])
                tasks.check_import.enqueue(upload.pk)
                return redirect(upload)
        else:
            problem = "Choose for each column one of the choices offered."
    return _preview_page(request, upload, form, problem)


def _mapping_form(upload: Import, data=None) -> ImportMappingForm:
    return ImportMappingForm(
        data,
        columns=upload.columns,
        targets=imports.targets(cards=upload.conference_id is not None),
        initial={f"column_{i}": target for i, target in enumerate(upload.mapping)},
    )


def _preview_page(
    request: HttpRequest, upload: Import, form: ImportMappingForm, problem: str
) -> HttpResponse:
    left_out = []
    if upload.conference_id is None:
        left_out = imports.left_out_of_contacts(imports.Source.of(upload))
    context = {
        "upload": upload,
        "conference": upload.conference,
        "form": form,
        "problem": problem,
        "not_importable": imports.why_not_importable(upload),
        "left_out": left_out,
        "more_problems": upload.errors - min(upload.errors, imports.PROBLEMS_KEPT),
        "waiting": upload.state in (Import.State.CHECKING, Import.State.IMPORTING),
    }
    return render(request, "contacts/import.html", context, status=400 if problem else 200)


@permission_required(IMPORT, raise_exception=True)
@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a checked file, all or nothing, in the background."""
    upload = _get_import_for_user(request, pk)
    problem = imports.why_not_importable(upload)
    if not problem:
        started = Import.objects.filter(pk=upload.pk, state=Import.State.CHECKED)
        if started.update(state=Import.State.IMPORTING):
            tasks.run_import.enqueue(upload.pk)
            return redirect(upload)
        problem = "This file is being imported already."
    return _preview_page(request, upload, _mapping_form(upload), problem)


@permission_required(IMPORT, raise_exception=True)
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget a file kept for import (not one being imported, or imported: the people it
    brought name it as where they came from)."""
    upload = _get_import_for_user(request, pk)
    refused = {
        Import.State.IMPORTING: "It is being imported.",
        Import.State.DONE: "It was imported: it stays named as where its people came from.",
    }
    if upload.state in refused:
        return _preview_page(request, upload, _mapping_form(upload), refused[upload.state])
    upload.file.delete(save=False)
    upload.delete()
    if upload.conference:
        return redirect("events-import", upload.conference.slug)
    return redirect("contacts-import")
