"""Middleware of the site as a whole."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

from foldcard import storage
from foldcard.http import wants_json
from foldcard.views import health, page_not_found, storage_unavailable

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answer the health check before any other middleware: before the host name is
    checked against ALLOWED_HOSTS (a load balancer's or an orchestrator's probe asks by the
    server's own address, which would get a 400), the redirect to HTTPS, the session and
    the login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        path = reverse("foldcard-health")
        self.paths = {path, path.rstrip("/")}  # without its slash too: no redirect first

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # path_info: without the prefix of a site served under a path (SCRIPT_NAME), which
        # reverse() at start-up does not know.
        if request.path_info in self.paths:
            return health(request)
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Send what a logged-in user gets (pages, exports, card photos) with
    ``Cache-Control: private, no-store``, unless the view set its own: it is personal data,
    which neither a shared proxy nor the browser's disk should keep after logout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class JSONNotFoundMiddleware:
    """Answer a script's request for something that is not there (an unknown conference or
    card) in JSON with DEBUG on too: Django's debug page for a 404 bypasses handler404, and
    the booth's script, run under `make run`, reads the JSON error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and wants_json(request):
            return page_not_found(request, exception)
        return None


class StorageUnavailableMiddleware:
    """Answer 503 when the photo storage fails (storage.Unavailable), saying so: the
    request's transaction is rolled back, so the card sent with a photo is not saved, and
    the booth keeps it to send again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, storage.Unavailable):
            return None
        logger.error("The photo storage failed: %s", exception, exc_info=exception)
        return storage_unavailable(request)
