from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import Max, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property

from contacts import folds, followups, merge, phones, photos, rules, vocabularies
from contacts.emails import placeholder_problem
from contacts.models import (
    Card,
    Consent,
    FoldRule,
    Meaning,
    SavedFilter,
    UserSettings,
    Vocabulary,
)
from contacts.queries import SORTS, FollowupFilters
from contacts.services import CardInput, ContactInput, FollowupState
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


def lines_as_typed(text: str) -> str:
    """Return a textarea's text with its lines ended as typed, by LF: a browser posts a
    form's with CR LF (and so does the booth's script: it sends a FormData)."""
    return text.replace("\r\n", "\n")


class LinesField(forms.CharField):
    """A textarea's text, its lines ended as typed (lines_as_typed) before its length is
    counted: a line break is one character, as the page counts it."""

    def to_python(self, value) -> str:
        return lines_as_typed(super().to_python(value))


# How long a card typed offline may wait in the booth's outbox to be logged when it was
# typed (an earlier time is a clock gone wrong).
OUTBOX_DAYS = 30


class CardForm(forms.Form):
    """A card as logged at the booth (and edited after): the form contract of booth mode."""

    # What a card without a name, a company, an email, a photo or a person chosen is told,
    # and an email that is not one: the booth's script tells them before sending.
    EMPTY = "A card needs at least a name, a company, an email or its photo."
    INVALID_EMAIL = validate_email.message

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
    note = LinesField(
        label="Note", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # After the note: seldom typed at the booth, most often read from the card.
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    # Remembered from the card before, so that it is seldom changed.
    consent = forms.ChoiceField(
        label="Agreed to be contacted",
        choices=Consent.choices,
        required=False,
        help_text="Whether and why you may contact them: kept with the card.",
    )
    # Last: taken, not typed; what is read from it may come with choices under it.
    photo = forms.FileField(
        label="Photo of the card",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # The known person the card is of, chosen at the booth ("same person?"); a person gone
    # since (merged, say) leaves the card to be matched as any other.
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # When the card was typed, by the browser's clock: a card kept in the booth's outbox
    # while offline is sent later.
    logged_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, has_photo: bool = False, chosen_names: bool = False, **kwargs
    ) -> None:
        """``chosen_names``: a person chosen (``contact``, the booth's "same person?") is
        whom the card is of, as a name would say: a card with only a phone may be logged
        for someone its phone found. An edit's ``contact`` only confirms a move."""
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        self.chosen_names = chosen_names
        for name, field in self.fields.items():
            if name != "folds" and not field.widget.is_hidden:
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["consent"].widget.attrs["class"] = "form-select form-select-sm"
        # A phone shows its digit keyboard; the diagonal (/) is tapped on the drawn card.
        self.fields["keys"].widget.attrs.update(
            autofocus=True, placeholder="e.g. 795", inputmode="numeric"
        )
        # A browser cuts a note pasted longer than its maxlength without a word: the note
        # is told too long instead (by the booth's script before sending, else on saving).
        note = self.fields["note"].widget.attrs
        note["data-max-length"] = note.pop("maxlength")

    def clean_logged_at(self) -> datetime | None:
        """Return when the card was typed, if the browser's clock can say: a time ahead of
        the server's is now, and one older than a card waits in an outbox (OUTBOX_DAYS)
        is a clock gone wrong, and the card is logged as it arrives."""
        typed, now = self.cleaned_data["logged_at"], timezone.now()
        if typed is None or typed < now - timedelta(days=OUTBOX_DAYS):
            return None
        return min(typed, now)

    def clean_keys(self) -> int:
        try:
            return folds.parse_keys(self.cleaned_data["keys"])
        except folds.FoldError as e:
            raise ValidationError(str(e), code="invalid") from e

    def validate(self, data: dict) -> bool:
        """Validate ``data`` in this form, as a new form bound to it would; return whether
        it is valid.

        An import checks thousands of rows: building a form (a deep copy of every field
        and widget) costs twice what cleaning it does, so one form checks them all.
        """
        self.data = data
        self.is_bound = True
        self._errors = None
        return self.is_valid()

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
        whose = ("name", "company", "email", "photo")
        chosen = self.chosen_names and data.get("contact")
        given = any(data.get(field) for field in whose) or self.has_photo or chosen
        if not (given or any(self.has_error(field) for field in whose)):
            raise ValidationError(self.EMPTY, code="empty")
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
            contact_id=data["contact"],
            logged_at=data["logged_at"],
        )


MAX_EMAILS_OR_PHONES = 10


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ContactForm(forms.Form):
    """A person's details as edited on their page: every email and phone one a line, the
    primary one first."""

    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    title = forms.CharField(max_length=200, required=False)
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line; the first is the one emails go to.",
    )
    phones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, the first is the main one; without a country code, read as "
        "the country of the latest conference.",
    )
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    notes = forms.CharField(
        max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def _at_most(self, name: str) -> list[str]:
        """Return the lines of the field ``name``: at most MAX_EMAILS_OR_PHONES, or as many
        as the person has already (an import or a merge may have given them more); lines
        that say the same (an email in another case, a phone of the same digits) count
        once, being kept once."""
        lines = _lines(self.cleaned_data[name])
        most = max(MAX_EMAILS_OR_PHONES, len(_lines(self.initial.get(name, ""))))
        same = phones.digits_of if name == "phones" else str.casefold
        if len({same(line) or line for line in lines}) > most:
            raise ValidationError(f"At most {most} {name}.", code="too_many")
        return lines

    def clean_emails(self) -> tuple[str, ...]:
        emails = self._at_most("emails")
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"{email} is not an email address.", code="invalid") from None
            if len(email) > 254:
                raise ValidationError("An email has at most 254 characters.", code="max_length")
        return tuple(emails)

    def clean_phones(self) -> tuple[str, ...]:
        phones = self._at_most("phones")
        for phone in phones:
            if len(phone) > 50 or not any(c.isdigit() for c in phone):
                raise ValidationError(f"{phone[:60]} is not a phone number.", code="invalid")
        return tuple(phones)

    def clean(self) -> dict:
        data = super().clean()
        given = data.get("name") or data.get("company") or data.get("emails")
        if not (given or self.has_error("emails")):
            raise ValidationError(
                "A person needs at least a name, a company or an email.", code="empty"
            )
        return data

    def to_input(self) -> ContactInput:
        """Return the valid form as the person's edit to the services."""
        data = self.cleaned_data
        fields = ("name", "company", "title", "website", "notes", "emails", "phones", "version")
        return ContactInput(**{name: data[name] for name in fields})

    @staticmethod
    def initial_of(contact) -> dict:
        """Return the form's values for ``contact`` as it is now."""
        return {
            "name": contact.name,
            "company": contact.company,
            "title": contact.title,
            "emails": "\n".join(contact.all_emails()),
            "phones": "\n".join(p.phone for p in contact.all_phones()),
            "website": contact.website,
            "notes": contact.notes,
            "version": contact.version,
        }


class MergeForm(forms.Form):
    """Which of two people's values the merged person keeps, field by field."""

    kept_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    other_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in merge.FIELDS:
            choices = [("kept", "kept"), ("other", "other")]
            if name == "notes":
                choices.append((merge.BOTH, "both"))
            self.fields[name] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)

    def to_input(self) -> merge.MergeInput:
        data = self.cleaned_data
        return merge.MergeInput(
            picks={name: data[name] for name in merge.FIELDS},
            kept_version=data["kept_version"],
            other_version=data["other_version"],
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
    due = forms.ChoiceField(choices=[("", "Any day"), *followups.BUCKETS.items()], required=False)
    q = forms.CharField(label="Search", max_length=100, required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SORTS.items()], required=False
    )

    # The conference select lists the latest conferences only, so that the page costs the
    # same with 500 of them; any other is chosen from its own page (its follow-ups link),
    # and the field accepts every conference.
    RECENT_CONFERENCES = 20

    def __init__(self, *args, owners: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("me", "Mine"), ("all", "Everyone")] + [
            (str(user.pk), f"{user.get_username()}{'' if user.is_active else ' (deactivated)'}")
            for user in owners
        ]
        # Read when the select is shown (a callable), not when the form only filters.
        self.fields["conference"].widget.choices = self._conference_choices
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update(
            {
                "class": "form-control form-control-sm",
                "placeholder": "name, company, email, phone, note",
            }
        )

    @cached_property
    def _recent_conferences(self) -> list[Conference]:
        """Return the latest RECENT_CONFERENCES conferences and one more, if there is."""
        return list(Conference.objects.all()[: self.RECENT_CONFERENCES + 1])

    @property
    def more_conferences(self) -> bool:
        """Return whether some conferences are not in the select."""
        return len(self._recent_conferences) > self.RECENT_CONFERENCES

    def _conference_choices(self) -> list[tuple]:
        shown = self._recent_conferences[: self.RECENT_CONFERENCES]
        chosen = str(self.data.get("conference", ""))
        if chosen.isdecimal() and int(chosen) not in {c.pk for c in shown}:
            shown += Conference.objects.filter(pk=int(chosen))
        return [("", "All conferences")] + [(c.pk, c.name) for c in shown]

    def filters(self) -> FollowupFilters:
        """Return the filters asked for; those not understood are left at their default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return FollowupFilters(
            state=data.get("state") or "open",
            owner=data.get("owner") or "me",
            conference=data.get("conference"),
            meaning=data.get("meaning"),
            q=data.get("q", ""),
            due=data.get("due", ""),
        )

    def order(self) -> str:
        """Return the order asked for (a key of queries.SORTS), by due date by default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("sort") or "due"


class ActionForm(forms.Form):
    """What an action does to follow-ups: the outcome, the snooze, the new owner."""

    outcome = forms.CharField(max_length=5000, required=False)
    days = forms.TypedChoiceField(choices=[(1, "1 day"), (7, "1 week")], coerce=int, required=False)
    until = forms.DateField(label="Snooze until", required=False)
    owner = forms.ModelChoiceField(rules.followup_owners(), required=False)

    def __init__(self, *args, action: str, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.today = today

    def clean_until(self) -> date | None:
        until = self.cleaned_data["until"]
        if until is not None:
            check_snooze_end(until, self.today)
        return until

    def clean(self) -> dict:
        data = super().clean()
        chosen = data.get("days") or data.get("until")
        if self.action == "snooze" and not (chosen or self.errors):
            self.add_error("days", "Choose 1 or 7 days, or a day.")
        if self.action == "assign" and not data.get("owner") and not self.has_error("owner"):
            self.add_error("owner", "Choose who.")
        return data


class FollowupActionForm(ActionForm):
    """An action on one follow-up, with the version of its card that the page showed."""

    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            "required": "The page did not say which version of the card it showed: reload "
            "it and try again."
        },
    )


def largest_card_id() -> int:
    """Return the largest id the database keeps for a card."""
    return connection.ops.integer_field_range(Card._meta.pk.get_internal_type())[1]


class CardsField(forms.ModelMultipleChoiceField):
    """Cards chosen by their ids; an id larger than any the database keeps is no card
    (compared as it is, it would be an error of the database's)."""

    def clean(self, value):
        largest = largest_card_id()
        for pk in value or ():
            if str(pk).isdecimal() and int(pk) > largest:
                message = self.error_messages["invalid_choice"]
                raise ValidationError(message, code="invalid_choice", params={"value": pk})
        return super().clean(value)


def shown_versions(data: QueryDict, cards: Iterable[Card]) -> dict[int, int]:
    """Return the version of each of ``cards`` that the list showed, posted in ``data`` as
    ``version-<id>``; raise ValidationError if one is missing."""
    versions = {}
    for card in cards:
        version = data.get(f"version-{card.pk}", "")
        if not version.isdecimal():
            raise ValidationError(
                f"The list did not say which version of {card.contact} it showed: "
                "reload it and try again.",
                code="no_version",
            )
        versions[card.pk] = int(version)
    return versions


class BulkActionForm(ActionForm):
    """Many follow-ups chosen on the list, each with the version of the card the list
    showed (``version-<id>``), and what to do to them all."""

    cards = CardsField(
        Card.objects.all(),
        error_messages={
            "required": "Choose at least one follow-up.",
            "invalid_choice": "%(value)s is not a card.",
            "invalid_pk_value": "%(pk)s is not a card.",
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        data["versions"] = shown_versions(self.data, data.get("cards", []))
        return data


class FollowupStateForm(forms.Form):
    """One card's follow-up state as it was before an action, for its undo."""

    card = forms.IntegerField(min_value=1)
    state = forms.ChoiceField(choices=Card.State.choices)
    snoozed_until = forms.DateField(required=False)
    outcome = forms.CharField(max_length=5000, required=False, strip=False)
    # Anyone: the owner a card has kept (perhaps one whose role was taken away) comes back
    # with every undo. services.restore_* refuse to give a card to another one than it has
    # unless the user may hand follow-ups over, and to one who may not be given any.
    owner = forms.ModelChoiceField(User.objects.all(), required=False)
    # The card's version as the action left it: a card changed since is left as it is.
    version = forms.IntegerField(min_value=0)

    def clean_card(self) -> int:
        card = self.cleaned_data["card"]
        if card > largest_card_id():
            raise ValidationError(f"{card} is not a card.", code="invalid_choice")
        return card

    def clean(self) -> dict:
        data = super().clean()
        if data.get("state") == Card.State.SNOOZED and not data.get("snoozed_until"):
            self.add_error("snoozed_until", "A snoozed card needs the day its snooze ends.")
        return data

    def to_state(self) -> FollowupState:
        data = self.cleaned_data
        snoozed_until = data["snoozed_until"] if data["state"] == Card.State.SNOOZED else None
        owner_id = data["owner"].pk if data["owner"] else None
        return FollowupState(
            data["card"], data["state"], snoozed_until, data["outcome"], owner_id, data["version"]
        )


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
        data[f"{prefix}-owner"] = str(state.owner_id or "")
        data[f"{prefix}-version"] = str(state.version)
    return data


class SavedFilterForm(forms.ModelForm):
    """A name for the follow-up list's filters and sort as they are (its query string)."""

    class Meta:
        model = SavedFilter
        fields = ["name", "query"]

    def __init__(self, *args, owners: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owners = owners

    def clean_query(self) -> str:
        """Return the list's query string without its page, once every filter in it is
        understood."""
        query = QueryDict(self.cleaned_data["query"], mutable=True)
        query.pop("page", None)
        filters = FollowupFilterForm(query, owners=self.owners)
        if not filters.is_valid():
            raise ValidationError(
                "Some of these filters are not understood; filter the list again and save.",
                code="bad_filters",
            )
        return query.urlencode()


class UserSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Your time zone", required=False)

    class Meta:
        model = UserSettings
        fields = ["vocabulary", "digest_at", "time_zone"]
        widgets = {"digest_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        default = Vocabulary.default()
        # Shared vocabularies and the user's own copies; not the copies of others.
        self.fields["vocabulary"].queryset = Vocabulary.objects.filter(
            Q(owner=None) | Q(owner=self.instance.user)
        )
        self.fields["vocabulary"].label_from_instance = _own_marked
        self.fields["vocabulary"].empty_label = f"The site default ({default})"
        self.fields["vocabulary"].label = "What your folds mean"
        self.fields["time_zone"].choices = [("", f"The site's ({settings.TIME_ZONE})")] + [
            (zone, zone) for zone in sorted(zoneinfo.available_timezones())
        ]


def _own_marked(vocabulary: Vocabulary) -> str:
    """Return the vocabulary's name, marked when it is the user's own copy."""
    return f"{vocabulary} (yours)" if vocabulary.owner_id else str(vocabulary)


def check_snooze_end(day: date, today: date) -> None:
    """Raise ValidationError unless a snooze from ``today`` may end on ``day``
    (followups.snooze_days)."""
    first, last = followups.snooze_days(today)
    if day < first:
        raise ValidationError("Choose a day after today.", code="past")
    if day > last:
        years = followups.LONGEST_SNOOZE_YEARS
        raise ValidationError(
            f"Choose a day by {last:%-d %b %Y}: a snooze lasts {years} years at most.",
            code="too_far",
        )


class EmailForm(forms.Form):
    """A follow-up email as the composer sends it, and what becomes of the card after."""

    THEN = [
        ("done", "Mark it done"),
        ("snooze", "Keep it open, back in my list on"),
        ("open", "Leave it as it is"),
    ]

    # Focused: from the follow-up list's "e" the email is sent with the keyboard alone.
    subject = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    body = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    then = forms.ChoiceField(label="Then", choices=THEN, initial="done")
    outcome = forms.CharField(max_length=5000, required=False, initial="First contact by email.")
    next_on = forms.DateField(
        label="Back on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The card's version when the composer was opened: nothing is sent to a card changed
    # since (closed by someone else, perhaps).
    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            "required": "The composer did not say which version of the card it showed: "
            "open it again."
        },
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        first, last = followups.snooze_days(today)
        self.fields["next_on"].widget.attrs.update(min=first.isoformat(), max=last.isoformat())

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
            elif next_on is not None:
                try:
                    check_snooze_end(next_on, self.today)
                except ValidationError as e:
                    self.add_error("next_on", e)
        return data


class EmailManyForm(forms.Form):
    """The cards chosen on the follow-up list to email, each their own follow-up, each with
    the version of the card the list showed (``version-<id>``)."""

    cards = CardsField(Card.objects.none())
    mark_done = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cards = Card.objects.filter(rules.workable(user)).select_related("contact")
        self.fields["cards"].queryset = cards
        self.fields["cards"].error_messages["invalid_choice"] = (
            "%(value)s is not a card you may follow up."
        )

    def clean(self) -> dict:
        data = super().clean()
        data["versions"] = shown_versions(self.data, data.get("cards", []))
        return data


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
        # None chosen is checked as a field without its file: "This field is required."
        return [check(file, initial) for file in files or [None]]


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


class MeaningTemplateForm(forms.ModelForm):
    """A meaning's form (the vocabulary page's, the admin's): its email template is refused
    with a misspelt placeholder."""

    def clean_email_subject(self) -> str:
        return with_known_placeholders(self.cleaned_data["email_subject"])

    def clean_email_body(self) -> str:
        return template_body(self.cleaned_data["email_body"])


class MeaningForm(MeaningTemplateForm):
    """A meaning as a row of the vocabulary page; its slug is given once, when added."""

    class Meta:
        model = Meaning
        fields = [
            "slug",
            "label",
            "colour",
            "weight",
            "window_days",
            "order",
            "description",
            "email_subject",
            "email_body",
            "active",
        ]
        labels = {"window_days": "Window (days)", "weight": "Weight", "order": "Order"}
        help_texts = {"slug": "Letters, digits, - and _."}
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "email_body": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"meaning{kwargs['instance'].pk or 'new'}_%s")
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["slug"]
        else:
            # A new meaning comes after the others unless given a place.
            last = Meaning.objects.aggregate(last=Max("order"))["last"]
            self.initial["order"] = 0 if last is None else last + 1
        for name, field in self.fields.items():
            if name != "active":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def validate_unique(self) -> None:
        """Leave uniqueness to vocabularies.apply_change, which says it in the editor's words."""

    def snapshot(self, before: dict | None) -> dict:
        """Return the meaning as it would be saved: ``before`` (taken before the form was
        cleaned, which writes to its instance) with the form's fields."""
        before = before or vocabularies.meaning_snapshot(Meaning())
        return {**before, **{name: self.cleaned_data[name] for name in self.fields}}


def template_body(text: str) -> str:
    """Return an email template's body as kept: its lines ended as typed (an unchanged
    template posted by a browser would otherwise read as a change), refused with a
    misspelt placeholder."""
    return with_known_placeholders(lines_as_typed(text))


def with_known_placeholders(template: str) -> str:
    """Return ``template``; raise ValidationError naming what it has in braces that looks
    like a placeholder but is none (it would be sent as written, braces and all)."""
    if problem := placeholder_problem(template):
        raise ValidationError(problem, code="unknown_placeholder")
    return template


class RuleForm(forms.Form):
    """A rule as a row of the vocabulary page: folds picked on the drawn card (or typed as
    the fold code) and the meanings they have."""

    keys = forms.CharField(label="Fold code", required=False, max_length=12)
    folds = FoldsField(label="Folds")
    meanings = forms.ModelMultipleChoiceField(
        Meaning.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, rule: FoldRule | None = None, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"rule{rule.pk if rule else 'new'}_%s")
        if rule is not None and not args:
            kwargs.setdefault(
                "initial", {"folds": rule.pattern, "meanings": list(rule.meanings.all())}
            )
        super().__init__(*args, **kwargs)
        self.fields["keys"].widget.attrs.update(
            {
                "class": "form-control form-control-sm",
                "placeholder": "e.g. 79",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        )

    def clean_keys(self) -> int:
        try:
            return folds.parse_keys(self.cleaned_data["keys"])
        except folds.FoldError as e:
            raise ValidationError(str(e), code="invalid") from e

    def snapshot(self, before: dict | None) -> dict:
        """Return the rule as it would be saved (see vocabularies.rule_snapshot), whatever
        it was ``before``."""
        data = self.cleaned_data
        return {
            "pattern": data["folds"] | data["keys"],
            "meanings": sorted(m.slug for m in data["meanings"]),
        }


class VocabularySettingsForm(forms.ModelForm):
    class Meta:
        model = Vocabulary
        fields = ["name", "description", "default_window_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"

    def validate_unique(self) -> None:
        """Leave uniqueness to vocabularies.apply_change, which says it in the editor's words."""

    def snapshot(self, before: dict | None) -> dict:
        """Return the settings as they would be saved, whatever they were ``before``."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CopyVocabularyForm(forms.Form):
    name = forms.CharField(label="Name of your copy", max_length=80)


class VocabularyImportForm(forms.Form):
    file = forms.FileField(label="Vocabulary file (JSON)")
    name = forms.CharField(
        label="Name", max_length=80, required=False, help_text="Empty: the name in the file."
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        try:
            # Refused from its size, before it is read into memory.
            vocabularies.check_size(upload.size)
        except vocabularies.VocabularyError as e:
            raise ValidationError(str(e), code="too_large") from e
        return upload.read()
