"""Views of the site as a whole, outside any app: the health check, the offline worker,
the favicon, logging out, and the error pages, which answer a script in JSON."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_safe

from api.views import Unknown
from foldcard.http import wants_json

# Where foldcard/urls.py mounts the API.
API_PREFIX = "/api/"


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """Answer 200 while the database answers, else 503 (to GET, and to HEAD without a
    body: some probes ask so)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("The database does not answer.", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the offline worker from the site root, so that it may cover every page."""
    path = Path(settings.BASE_DIR, "static", "foldcard", "sw.js")
    response = HttpResponse(path.read_text(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Send a browser asking for /favicon.ico to the site's icon: the admin's pages name no
    icon, so browsers ask there and got a 404."""
    # Not permanent: the icon's address changes with its content (hashed static files).
    return redirect(static("foldcard/favicon.svg"))


class LogoutView(auth_views.LogoutView):
    """Log out, and have the browser drop the pages it keeps: the booth page kept for a
    reload offline shows the latest cards, names and notes, to whoever uses the laptop next.

    "cache" clears the HTTP cache and leaves storage alone: the booth's outbox (IndexedDB)
    keeps the cards not sent yet. The offline worker's own cache is dropped by the login
    page the browser lands on (login.js).
    """

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


def _error(request: HttpRequest, status: int, message: str, **context) -> HttpResponse:
    """Answer an error as JSON ``{"errors": {"__all__": [message]}}`` to a script, else as
    the error's page, with ``context``."""
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": [message]}}, status=status)
    return render(request, f"{status}.html", {"message": message, **context}, status=status)


def _bad_request_message(exception: Exception) -> str:
    if isinstance(exception, TooManyFilesSent):
        return (
            f"The request sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files; "
            "a card takes one photo."
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"The request sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields; "
            "a card has a dozen."
        )
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return (
            f"The request's fields are larger than {megabytes:g} MB; a card's text is far shorter."
        )
    return "The request could not be understood."


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400, _bad_request_message(exception))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Say why; a refusal that gives no reason of its own is for want of a role, and the
    page then says which roles the user has and what each may do."""
    if message := str(exception):
        return _error(request, 403, message)
    return _error(request, 403, "Your account does not have a role that allows this.", roles=True)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # A path under the API that even its catch-all cannot take (a line break in it):
        # the API's own 404, as problem details.
        return Unknown.as_view()(request).render()
    return _error(request, 404, "There is nothing here, or it is not yours to see.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Answer a request refused by the CSRF check (a page left open across a login in
    another tab, the booth sending a card kept since then): reload and try again."""
    message = "This page's security token is out of date: reload the page and try again."
    if wants_json(request):
        return _error(request, 403, message)
    return render(request, "403_csrf.html", {"message": message}, status=403)


@requires_csrf_token
def storage_unavailable(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        failed = "The photo storage did not answer, so the photo cannot be shown now."
    else:
        failed = (
            "The photo storage did not answer, so the photo was not saved, nor what was sent "
            "with it."
        )
    return _error(
        request,
        503,
        f"{failed} Try again in a moment; if this goes on, the photo storage's settings "
        "need checking (the server's log says what failed).",
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    message = "foldcard could not finish this; try again in a moment."
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": [message]}}, status=500)
    # Rendered without the request, as Django's own: the user or the session may be what
    # failed.
    page = loader.get_template("500.html").render({"message": message})
    return HttpResponseServerError(page)
