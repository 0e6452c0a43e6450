from __future__ import annotations

from urllib.parse import urlsplit

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
        min_length=16,
        required=False,
        strip=False,
        help_text="Signs every delivery (see the README): at least 16 characters; a random "
        "one when left empty.",
    )

    class Meta:
        model = Endpoint
        fields = ["url", "secret", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if urlsplit(url).username is not None:
            raise forms.ValidationError(
                "A user name and password in the URL are not sent: take them out; the "
                "signature tells the receiver that a delivery is foldcard's."
            )
        try:
            resolve(url)
        except UnsafeURL as e:
            raise forms.ValidationError(str(e)) from e
        return url

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        if secret != secret.strip():
            # Kept, they would sign what a receiver given the secret without them refuses.
            raise forms.ValidationError("The secret begins or ends with a space: take it out.")
        return secret or new_secret()
