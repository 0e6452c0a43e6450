from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from api.models import ApiToken
from contacts.forms import FollowupFilterForm


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "read_only", "conference", "expires_at"]
        labels = {"read_only": "Read only", "expires_at": "Expires at (empty: never)"}
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean_expires_at(self) -> datetime | None:
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(
                "A token expiring then would never work: choose a time to come.", code="past"
            )
        return expires_at


class CardFilterForm(FollowupFilterForm):
    """The follow-up list's filters, with the conference given by its slug."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conference"].to_field_name = "slug"
