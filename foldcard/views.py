"""Views of the site as a whole, outside any app: the health check and the offline worker."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("OK", content_type="text/plain")


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the offline worker from the site root, so that it may cover every page."""
    path = Path(settings.BASE_DIR, "static", "foldcard", "sw.js")
    response = HttpResponse(path.read_text(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
