from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.forms import ConferenceForm
from events.models import Conference


def _get_conference_for_user(request: HttpRequest, slug: str) -> Conference:
    """Return the conference ``slug`` if the user may see it, or raise 404."""
    return get_object_or_404(Conference, slug=slug)


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("OK", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    conferences = Conference.objects.annotate(num_cards=Count("cards")).order_by(
        "-starts_on", "name"
    )
    return render(request, "events/home.html", {"conferences": conferences})


def create(request: HttpRequest) -> HttpResponse:
    form = ConferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conference = form.save(commit=False)
        conference.created_by = request.user
        conference.save()
        return redirect("events-detail", conference.slug)
    return render(request, "events/create.html", {"form": form}, status=400 if form.errors else 200)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _get_conference_for_user(request, slug)
    return render(
        request,
        "events/detail.html",
        {"conference": conference, "num_cards": conference.cards.count()},
    )
