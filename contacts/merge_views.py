"""The managers' pages on duplicates: the pairs that may be one person, merging two, and
undoing a merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import duplicates, merge, rules, services
from contacts.forms import MergeForm
from contacts.models import Contact, ContactMerge
from foldcard.text import sentence

PAGE_SIZE = 50


def _require_merger(request: HttpRequest) -> None:
    if not rules.can_merge(request.user):
        raise PermissionDenied("Only managers can merge people.")


@login_required
@require_GET
def duplicates_page(request: HttpRequest) -> HttpResponse:
    """List the pairs of people who may be one, most certain first."""
    _require_merger(request)
    found = duplicates.scan()
    page = Paginator(found.pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "pairs": duplicates.pairs_of(list(page.object_list)),
        "total": len(found.pairs),
        "left_out": found.left_out,
        "max_group": duplicates.MAX_GROUP,
    }
    return render(request, "contacts/duplicates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def merge_page(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Show two people side by side, field by field, to pick what the one kept (``pk``)
    keeps; merge them on POST."""
    _require_merger(request)
    if pk == other_pk:
        raise Http404("A person cannot be merged with themselves.")
    kept, other = _get_contact(pk), _get_contact(other_pk)
    versions = {"kept_version": kept.version, "other_version": other.version}
    data = request.POST if request.method == "POST" else None  # an empty POST is told why
    form = MergeForm(data, initial={**merge.default_picks(kept, other), **versions})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = merge.merge(kept, other, form.to_input(), request.user)
            except services.EditConflict:
                status = 409
                form = MergeForm(initial={**merge.default_picks(kept, other), **versions})
                form.conflict = (
                    "One of them changed while you were comparing. Here they are as they are "
                    "now: pick again. Nothing was merged."
                )
            else:
                messages.success(request, sentence(f"Merged {done.merged_name} into {done.kept}"))
                return redirect(kept)
    people = duplicates.with_history(Contact.objects.filter(pk__in=[pk, other_pk])).in_bulk()
    rows = [
        {
            "name": name,
            "label": name.capitalize(),
            "kept": getattr(kept, name),
            "other": getattr(other, name),
            "field": form[name],
        }
        for name in merge.FIELDS
    ]
    context = {
        "kept": people[pk],
        "other": people[other_pk],
        "rows": rows,
        "form": form,
    }
    return render(request, "contacts/merge.html", context, status=status)


@login_required
@require_POST
def undo_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: both people back as they were, each with their own cards."""
    _require_merger(request)
    done = get_object_or_404(ContactMerge.objects.select_related("kept"), pk=pk)
    try:
        back = merge.undo(done, request.user)
    except merge.NotUndoable as e:
        context = {"problems": [str(e)], "next_url": done.kept.get_absolute_url()}
        return render(request, "contacts/merge_refused.html", context, status=409)
    messages.success(request, f"Undid the merge: {back} is a person of their own again.")
    return redirect(back)


def _get_contact(pk: int) -> Contact:
    return get_object_or_404(Contact, pk=pk)
