from __future__ import annotations

from django.contrib import admin

from contacts.services import conference_changed
from events.models import Conference


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "location", "time_zone"]
    search_fields = ["name", "location"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change:
            conference_changed(obj, form.changed_data)
