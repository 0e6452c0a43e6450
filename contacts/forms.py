from __future__ import annotations

import zoneinfo
from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from contacts import folds, photos, rules
from contacts.models import Card, Consent, Meaning, UserSettings, Vocabulary
from contacts.queries import FollowupFilters
from contacts.services import CardInput, FollowupState
from events.models import Conference

User = get_user_model()


class FoldsField(forms.MultipleChoiceField):
    """The six folds as checkboxes, cleaned to a bitmask (see folds.py)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs["error_messages"] = {
            "invalid_choice": "%(value)s is not a fold; the folds are " + " ".join(folds.CODES),
            **kwargs.get("error_messages", {}),
        }
        keys = {bit: key for key, bit in folds.KEYS.items()}
        choices = [
            (code, f"{code} · {folds.LABELS[bit]} ({keys[bit]})")
            for code, bit in folds.BITS.items()
        ]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return folds.to_codes(value)
        return value

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial), data)

    def clean(self, value) -> int:
        codes = super().clean(value)
        try:
            return folds.parse_codes(codes)
        except folds.FoldError as e:
            raise ValidationError(str(e), code="invalid_choice") from e


class CardForm(forms.Form):
    """A card as logged at the booth (and edited after): the form contract of booth mode."""

    keys = forms.CharField(
        label="Fold code",
        required=False,
        max_length=12,
        help_text="Numpad: 7 9 upper corners, 1 3 lower corners, 5 half, / diagonal.",
    )
    folds = FoldsField(label="Folds")
    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    title = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=50, required=False)
    note = forms.CharField(
        label="Note", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # After the note: seldom typed at the booth, most often read from the card.
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    photo = forms.FileField(
        label="Photo of the card",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    # Last: it is remembered from the card before, so that it is seldom changed.
    consent = forms.ChoiceField(
        label="Agreed to be contacted",
        choices=Consent.choices,
        required=False,
        help_text="Whether and why you may contact them: kept with the card.",
    )
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, has_photo: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        for name, field in self.fields.items():
            if name != "folds" and not field.widget.is_hidden:
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["consent"].widget.attrs["class"] = "form-select form-select-sm"
        # A phone shows its digit keyboard; the diagonal (/) is tapped on the drawn card.
        self.fields["keys"].widget.attrs.update(
            autofocus=True, placeholder="e.g. 795", inputmode="numeric"
        )

    def clean_keys(self) -> int:
        try:
            return folds.parse_keys(self.cleaned_data["keys"])
        except folds.FoldError as e:
            raise ValidationError(str(e), code="invalid") from e

    def clean_photo(self) -> photos.Photo | None:
        upload = self.cleaned_data["photo"]
        if not upload:
            return None
        try:
            return photos.process(upload, upload.size)
        except photos.PhotoError as e:
            raise ValidationError(str(e), code="invalid_photo") from e

    def clean(self) -> dict:
        data = super().clean()
        given = any(data.get(field) for field in ("name", "company", "email", "photo"))
        if not (given or self.has_photo or self.has_error("email") or self.has_error("photo")):
            raise ValidationError(
                "A card needs at least a name, a company, an email or its photo.", code="empty"
            )
        return data

    def to_input(self) -> CardInput:
        """Return the valid form as the card's input to the services."""
        data = self.cleaned_data
        return CardInput(
            folds=data["folds"] | data["keys"],
            name=data["name"],
            company=data["company"],
            title=data["title"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
            note=data["note"],
            consent=data["consent"],
            photo=data["photo"],
            client_uuid=data["client_uuid"],
            version=data["version"],
        )


class FollowupFilterForm(forms.Form):
    """The filters of the follow-up list, read from the query string."""

    STATES = [
        ("open", "Open"),
        ("snoozed", "Snoozed"),
        ("done", "Done"),
        ("dropped", "Dropped"),
        ("all", "Any state"),
    ]

    conference = forms.ModelChoiceField(
        Conference.objects.all(), required=False, empty_label="All conferences"
    )
    meaning = forms.ModelChoiceField(
        Meaning.objects.filter(active=True),
        to_field_name="slug",
        required=False,
        empty_label="Any meaning",
    )
    owner = forms.ChoiceField(required=False)
    state = forms.ChoiceField(choices=STATES, required=False)
    q = forms.CharField(label="Search", max_length=100, required=False)

    def __init__(self, *args, owners: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("me", "Mine"), ("all", "Everyone")] + [
            (str(user.pk), user.get_username()) for user in owners
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update(
            {
                "class": "form-control form-control-sm",
                "placeholder": "name, company, email, phone, note",
            }
        )

    def filters(self) -> FollowupFilters:
        """Return the filters asked for; those not understood are left at their default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return FollowupFilters(
            state=data.get("state") or "open",
            owner=data.get("owner") or "me",
            conference=data.get("conference"),
            meaning=data.get("meaning"),
            q=data.get("q", ""),
        )


class FollowupActionForm(forms.Form):
    outcome = forms.CharField(max_length=5000, required=False)
    days = forms.TypedChoiceField(choices=[(1, "1 day"), (7, "1 week")], coerce=int, required=False)
    owner = forms.ModelChoiceField(User.objects.filter(is_active=True), required=False)

    def clean(self) -> dict:
        data = super().clean()
        needs = {"snooze": ("days", "Choose 1 or 7 days."), "assign": ("owner", "Choose who.")}
        if self.action in needs:
            field, message = needs[self.action]
            if not data.get(field) and not self.has_error(field):
                self.add_error(field, message)
        return data

    def __init__(self, *args, action: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action = action


class FollowupStateForm(forms.Form):
    """One card's follow-up state as it was before an action, for its undo."""

    card = forms.IntegerField(min_value=1)
    state = forms.ChoiceField(choices=Card.State.choices)
    snoozed_until = forms.DateField(required=False)
    outcome = forms.CharField(max_length=5000, required=False, strip=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("state") == Card.State.SNOOZED and not data.get("snoozed_until"):
            self.add_error("snoozed_until", "A snoozed card needs the day its snooze ends.")
        return data

    def to_state(self) -> FollowupState:
        data = self.cleaned_data
        snoozed_until = data["snoozed_until"] if data["state"] == Card.State.SNOOZED else None
        return FollowupState(data["card"], data["state"], snoozed_until, data["outcome"])


FollowupStateFormSet = forms.formset_factory(
    FollowupStateForm, extra=0, min_num=1, validate_min=True
)
UNDO_PREFIX = "previous"


def undo_data(states: list[FollowupState]) -> dict[str, str]:
    """Return the form data that posts ``states`` back to the restore action."""
    data = {f"{UNDO_PREFIX}-TOTAL_FORMS": str(len(states)), f"{UNDO_PREFIX}-INITIAL_FORMS": "0"}
    for number, state in enumerate(states):
        prefix = f"{UNDO_PREFIX}-{number}"
        data[f"{prefix}-card"] = str(state.card_id)
        data[f"{prefix}-state"] = state.state
        data[f"{prefix}-snoozed_until"] = str(state.snoozed_until or "")
        data[f"{prefix}-outcome"] = state.outcome
    return data


class UserSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Your time zone", required=False)

    class Meta:
        model = UserSettings
        fields = ["vocabulary", "digest_at", "time_zone"]
        widgets = {"digest_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        default = Vocabulary.default()
        self.fields["vocabulary"].empty_label = f"The site default ({default})"
        self.fields["vocabulary"].label = "What your folds mean"
        self.fields["time_zone"].choices = [("", f"The site's ({settings.TIME_ZONE})")] + [
            (zone, zone) for zone in sorted(zoneinfo.available_timezones())
        ]


class EmailForm(forms.Form):
    """A follow-up email as the composer sends it, and what becomes of the card after."""

    THEN = [
        ("done", "Mark it done"),
        ("snooze", "Keep it open, back in my list on"),
        ("open", "Leave it as it is"),
    ]

    subject = forms.CharField(max_length=200)
    body = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    then = forms.ChoiceField(label="Then", choices=THEN, initial="done")
    outcome = forms.CharField(max_length=5000, required=False, initial="First contact by email.")
    next_on = forms.DateField(
        label="Back on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if "\r" in subject or "\n" in subject:
            raise ValidationError("The subject must be one line.", code="multiline")
        return subject

    def clean(self) -> dict:
        data = super().clean()
        if data.get("then") == "snooze":
            next_on = data.get("next_on")
            if next_on is None and not self.has_error("next_on"):
                self.add_error("next_on", "Choose the day it should be back.")
            elif next_on is not None and next_on <= self.today:
                self.add_error("next_on", "Choose a day after today.")
        return data


class EmailManyForm(forms.Form):
    """The cards chosen on the follow-up list to email, each their own follow-up."""

    cards = forms.ModelMultipleChoiceField(Card.objects.none())
    mark_done = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cards"].queryset = Card.objects.filter(rules.workable(user))
        self.fields["cards"].error_messages["invalid_choice"] = (
            "%(value)s is not a card you may follow up."
        )


class PhotoForm(forms.Form):
    """One photo of a card, checked as the booth checks it, to be read."""

    photo = forms.FileField()

    def clean_photo(self) -> bytes:
        """Return the upload's bytes once the booth would accept it as a card photo."""
        upload = self.cleaned_data["photo"]
        try:
            photos.process(upload, upload.size)
        except photos.PhotoError as e:
            raise ValidationError(str(e), code="invalid_photo") from e
        upload.seek(0)
        return upload.read()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Many files in one field, each checked as a FileField checks one."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data]
        check = super().clean
        return [check(file, initial) for file in files]


class StackForm(forms.Form):
    """Photos of a stack of cards, many at once."""

    photos = MultipleFileField(
        label="Photos of the cards",
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="CSV or vCard file",
        widget=forms.FileInput(
            attrs={"accept": ".csv,.tsv,.txt,.vcf,text/csv,text/vcard", "class": "form-control"}
        ),
    )


class ImportMappingForm(forms.Form):
    """What each column of a file to import is: one choice per column, named by its
    position ("column_0", ...)."""

    def __init__(self, *args, columns: list[str], targets: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i, column in enumerate(columns):
            self.fields[f"column_{i}"] = forms.ChoiceField(
                label=column, choices=list(targets.items()), required=False
            )
            self.fields[f"column_{i}"].widget.attrs["class"] = "form-select form-select-sm"

    def mapping(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]
