"""What the API reads and writes, as JSON; the rules stay in the forms and models."""

from __future__ import annotations

from rest_framework import serializers

from contacts import folds
from contacts.forms import CardForm
from contacts.models import Card, Consent, FoldRule, Meaning, Vocabulary
from events.models import Conference

# The booth form's fields the API takes, other than the folds.
CARD_TEXT_FIELDS = ("name", "company", "title", "email", "phone", "note")


class ConferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conference
        fields = ["slug", "name", "starts_on", "ends_on", "location", "time_zone"]


class MeaningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meaning
        fields = ["slug", "label", "description", "weight", "window_days", "colour", "order"]
        fields += ["active"]


class FoldRuleSerializer(serializers.ModelSerializer):
    folds = serializers.SerializerMethodField()
    meanings = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = FoldRule
        fields = ["folds", "meanings"]

    def get_folds(self, rule: FoldRule) -> list[str]:
        return folds.to_codes(rule.pattern)


class VocabularySerializer(serializers.ModelSerializer):
    rules = FoldRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Vocabulary
        fields = ["id", "name", "description", "is_default", "default_window_days", "rules"]


class MeaningBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    colour = serializers.CharField()


class DecodingSerializer(serializers.Serializer):
    """The shape of folds.Decoding.as_json()."""

    folds = serializers.IntegerField(help_text="The folds as a bitmask.")
    meanings = MeaningBriefSerializer(many=True)
    priority = serializers.IntegerField()
    window_days = serializers.IntegerField()
    unmapped = serializers.ListField(child=serializers.CharField())


class CardSerializer(serializers.ModelSerializer):
    conference = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    folds = serializers.SerializerMethodField()
    name = serializers.CharField(source="contact.name")
    company = serializers.CharField(source="contact.company")
    title = serializers.CharField(source="contact.title")
    email = serializers.CharField(source="contact.email")
    phone = serializers.CharField(source="contact.phone")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    logged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decoding = serializers.SerializerMethodField()

    class Meta:
        model = Card
        fields = ["id", "conference", "folds", *CARD_TEXT_FIELDS, "client_uuid", "state"]
        fields += ["owner", "logged_by", "logged_at", "due_on", "priority", "decoding"]

    def get_folds(self, card: Card) -> list[str]:
        return folds.to_codes(card.folds)

    def get_decoding(self, card: Card) -> DecodingSerializer:
        decoding = getattr(card, "decoding", None) or card.decode()
        return DecodingSerializer(decoding.as_json()).data


def _text_field(name: str) -> serializers.CharField:
    """Return the API field for the booth form's field ``name``, with its length limit."""
    field = CardForm.base_fields[name]
    return serializers.CharField(
        required=False, allow_blank=True, max_length=field.max_length, trim_whitespace=False
    )


class CardInputSerializer(serializers.Serializer):
    """A card to log: only the JSON types are checked here; CardForm checks the rest."""

    folds = serializers.ListField(
        child=serializers.ChoiceField(choices=folds.CODES), required=False, allow_empty=True
    )
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    name = _text_field("name")
    company = _text_field("company")
    title = _text_field("title")
    email = _text_field("email")
    phone = _text_field("phone")
    note = _text_field("note")
    consent = serializers.ChoiceField(
        choices=Consent.choices,
        required=False,
        allow_blank=True,
        help_text="Whether and why the person may be contacted; empty: not recorded.",
    )

    def form_data(self) -> dict:
        """Return the valid input as the booth form's data."""
        data = dict(self.validated_data)
        if data.get("client_uuid") is None:
            data.pop("client_uuid", None)
        return data
