from __future__ import annotations

from django import forms

from webhooks.addresses import UnsafeURL, resolve
from webhooks.models import EVENTS, Endpoint, new_secret


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Where foldcard POSTs each event, as JSON.",
    )
    events = forms.MultipleChoiceField(
        choices=[(event, f"{event}: {meaning}") for event, meaning in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
    secret = forms.CharField(
        max_length=200,
        required=False,
        help_text="Signs every delivery (see the README); a random one when left empty.",
    )

    class Meta:
        model = Endpoint
        fields = ["url", "secret", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            resolve(url)
        except UnsafeURL as e:
            raise forms.ValidationError(str(e)) from e
        return url

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"].strip() or new_secret()
