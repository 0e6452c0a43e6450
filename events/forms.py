from __future__ import annotations

from django import forms

from events.models import Conference


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = Conference
        fields = ["name", "starts_on", "ends_on", "location", "time_zone", "country", "notes"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
