from __future__ import annotations

from django import forms

from events.models import Conference


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = Conference
        fields = [
            "name",
            "starts_on",
            "ends_on",
            "location",
            "time_zone",
            "country",
            "notes",
            "retention_days",
            "retention_action",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only said when a retention period is set; deleting is the default.
        self.fields["retention_action"].required = False

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_retention_action(self) -> str:
        return self.cleaned_data["retention_action"] or "delete"


class EmailLookupForm(forms.Form):
    """The email typed at the booth, to look up whether that person's card is in already."""

    email = forms.EmailField(max_length=254)
