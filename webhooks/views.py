"""The managers' pages: register webhook endpoints, see what each delivery got."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from webhooks.forms import EndpointForm
from webhooks.models import Attempt, Endpoint

# Sending the site's cards to another system is taking its people out, as an export does.
MANAGE = "contacts.export_cards"
DELIVERIES_SHOWN = 50


def _get_endpoint(pk: int) -> Endpoint:
    """Return the endpoint ``pk`` (every manager sees every endpoint), or raise 404."""
    return get_object_or_404(Endpoint.objects.select_related("owner"), pk=pk)


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    """List the endpoints, and register a new one."""
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.owner = request.user
        endpoint.save()
        messages.success(request, f"Webhooks will be sent to {endpoint.url}.")
        return redirect(endpoint)
    context = {"endpoints": Endpoint.objects.select_related("owner"), "form": form}
    return render(request, "webhooks/endpoints.html", context, status=400 if form.errors else 200)


@permission_required(MANAGE, raise_exception=True)
@require_GET
def endpoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an endpoint, its latest deliveries and every attempt to send them."""
    endpoint = _get_endpoint(pk)
    deliveries = endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("at", "pk"))
    )[:DELIVERIES_SHOWN]
    return render(
        request, "webhooks/endpoint.html", {"endpoint": endpoint, "deliveries": deliveries}
    )


@permission_required(MANAGE, raise_exception=True)
@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    """Send to a disabled endpoint again, from the next event on."""
    endpoint = _get_endpoint(pk)
    endpoint.active, endpoint.failing_since, endpoint.disabled_at = True, None, None
    endpoint.save(update_fields=["active", "failing_since", "disabled_at"])
    messages.success(request, f"Webhooks will be sent to {endpoint.url} again.")
    return redirect(endpoint)


@permission_required(MANAGE, raise_exception=True)
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _get_endpoint(pk)
    endpoint.delete()
    messages.success(request, f"Deleted the webhook to {endpoint.url} and its deliveries.")
    return redirect("webhooks-endpoints")
