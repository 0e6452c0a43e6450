from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from contacts import folds, photos


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
    photo = forms.FileField(
        label="Photo of the card",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("keys", "name", "company", "title", "email", "phone", "note", "photo"):
            self.fields[name].widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["keys"].widget.attrs.update(autofocus=True, placeholder="e.g. 795")

    def clean_keys(self) -> int:
        try:
            return folds.parse_keys(self.cleaned_data["keys"])
        except folds.FoldError as e:
            raise ValidationError(str(e), code="invalid") from e

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

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
        given = any(data.get(field) for field in ("name", "company", "email"))
        if not given and not self.has_error("email"):
            raise ValidationError(
                "A card needs at least a name, a company or an email.", code="empty"
            )
        data["mask"] = data.get("folds", 0) | data.get("keys", 0)
        return data
