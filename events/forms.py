from __future__ import annotations

from django import forms

from events.models import FIRST_DAY, LAST_DAY, Conference

# The date picker offers only the days a conference may have (Conference.clean says so
# for a day typed or sent otherwise).
DAY = {"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


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
            "starts_on": forms.DateInput(attrs=DAY),
            "ends_on": forms.DateInput(attrs=DAY),
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


class LookupForm(forms.Form):
    """What is typed at the booth, to look up whether that person's card is in already (by
    email) and who they may be among the people known."""

    email = forms.EmailField(max_length=254, required=False)
    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=50, required=False)

    def clean(self) -> dict:
        data = super().clean()
        typed = any(data.get(name) for name in ("email", "name", "company", "phone"))
        if not (typed or self.errors):
            raise forms.ValidationError("Type a name, company, email or phone.", code="empty")
        return data
