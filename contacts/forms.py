from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from contacts import folds


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
