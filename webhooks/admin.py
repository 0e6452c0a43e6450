from __future__ import annotations

from django.contrib import admin

from webhooks.models import Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "failing_since", "created_at"]
    exclude = ["secret"]
