"""What the API reads and writes, as JSON; the rules stay in the forms and models."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts import folds, queries, rules, services, vocabularies
from contacts.forms import OUTBOX_DAYS, CardForm, template_body, with_known_placeholders
from contacts.models import Card, Consent, Contact, FoldRule, Meaning, Vocabulary
from events.models import Conference

# The booth form's fields the API takes, other than the folds.
CARD_TEXT_FIELDS = ("name", "company", "title", "email", "phone", "note")


class KnownFieldsOnly:
    """Refuse a field the serializer does not have (400): a misspelt one ("emial") would
    be left out without a word. Its own read-only fields, sent back as read, are let be."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and (unknown := sorted(set(data) - set(self.fields))):
            raise serializers.ValidationError(
                {name: ["No such field: see the API's schema."] for name in unknown}
            )
        return super().to_internal_value(data)


class ConferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conference
        fields = ["slug", "name", "starts_on", "ends_on", "location", "time_zone"]


class MeaningSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    class Meta:
        model = Meaning
        fields = ["slug", "label", "description", "weight", "window_days", "colour", "order"]
        fields += ["active", "email_subject", "email_body"]

    def validate_label(self, label: str) -> str:
        slug = self.instance.slug if self.instance else self.initial_data.get("slug")
        was = self.instance.label if self.instance else None
        if clash := vocabularies.label_clash(label, slug, was):
            raise serializers.ValidationError(clash)
        return label

    def validate_email_subject(self, template: str) -> str:
        return with_known_placeholders(template)

    def validate_email_body(self, template: str) -> str:
        return template_body(template)


class MeaningUpdateSerializer(MeaningSerializer):
    """A change of a meaning. Its slug is read-only (one given is ignored): it is given
    once, when the meaning is added, as in the vocabulary editor, since vocabulary files
    and the vocabularies' history name a meaning by its slug."""

    class Meta(MeaningSerializer.Meta):
        read_only_fields = ["slug"]


class FoldsListField(serializers.ListField):
    """Folds as a list of codes (["UL", "HALF"]), a mask in the model."""

    child = serializers.ChoiceField(choices=folds.CODES)

    def to_representation(self, mask: int) -> list[str]:
        return folds.to_codes(mask)

    def to_internal_value(self, data) -> int:
        codes = super().to_internal_value(data)
        if not codes:
            raise serializers.ValidationError("Give at least one fold.")
        return folds.parse_codes(codes)


class MeaningSlugField(serializers.SlugRelatedField):
    """A meaning named by its slug, a string."""

    def to_internal_value(self, data) -> Meaning:
        # Anything else would be looked up as it is: a list nested a few hundred deep
        # exceeds Python's recursion limit in building the query.
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class FoldRuleSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    folds = FoldsListField(source="pattern")
    meanings = MeaningSlugField(slug_field="slug", many=True, queryset=Meaning.objects.all())

    class Meta:
        model = FoldRule
        fields = ["folds", "meanings"]


class VocabularySerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """A vocabulary and its rules; writing rules replaces them all."""

    rules = FoldRuleSerializer(many=True, required=False)

    class Meta:
        model = Vocabulary
        fields = ["id", "name", "description", "is_default", "default_window_days", "rules"]
        # Checked by validate_is_default, with a message that says what to do.
        extra_kwargs = {"is_default": {"validators": []}}

    def validate_name(self, name: str) -> str:
        """Check the name as the model does (Vocabulary.clean: unique among the shared
        vocabularies, and among each user's own), which the serializer does not know."""
        vocabulary = copy.copy(self.instance) if self.instance else Vocabulary()
        vocabulary.name = name
        try:
            vocabulary.clean()
        except ValidationError as e:
            raise serializers.ValidationError(e.messages) from e
        return name

    def validate_is_default(self, value: bool) -> bool:
        others = Vocabulary.objects.filter(is_default=True)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if value and others.exists():
            raise serializers.ValidationError(
                "Only one vocabulary can be the site default: make the default one not the "
                "default first."
            )
        return value

    def validate_rules(self, rules: list[dict]) -> list[dict]:
        patterns = [rule["pattern"] for rule in rules]
        for pattern in patterns:
            if patterns.count(pattern) > 1:
                raise serializers.ValidationError(
                    f"Two rules have the same folds ({' + '.join(folds.to_codes(pattern))}): "
                    "merge them into one rule."
                )
        return rules

    def create(self, data: dict) -> Vocabulary:
        return self.update(Vocabulary(), data)

    def update(self, vocabulary: Vocabulary, data: dict) -> Vocabulary:
        rules = data.pop("rules", None)
        with transaction.atomic():
            for name, value in data.items():
                setattr(vocabulary, name, value)
            vocabulary.save()
            if rules is not None:
                vocabulary.rules.all().delete()
                for rule in rules:
                    made = FoldRule.objects.create(vocabulary=vocabulary, pattern=rule["pattern"])
                    made.meanings.set(rule["meanings"])
            services.reprioritize([vocabulary])
        return vocabulary


class MeaningBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    colour = serializers.CharField()
    text_colour = serializers.CharField(help_text="Black or white: the text that reads on colour.")


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
    contact = serializers.IntegerField(
        source="contact_id", read_only=True, help_text="The id of the card's person."
    )
    may_be_emailed = serializers.SerializerMethodField(
        help_text="False when the last the person said, on any card of theirs, is that they "
        "do not want to be contacted (whatever this card's consent is): foldcard emails "
        "them nothing, and neither should you."
    )

    class Meta:
        model = Card
        fields = ["id", "conference", "contact", "folds", *CARD_TEXT_FIELDS, "client_uuid"]
        fields += ["state", "outcome", "owner", "logged_by", "logged_at", "due_on", "priority"]
        fields += ["decoding", "version", "consent", "may_be_emailed", "snoozed_until"]
        fields += ["state_changed_at"]

    def get_folds(self, card: Card) -> list[str]:
        return folds.to_codes(card.folds)

    def get_may_be_emailed(self, card: Card) -> bool:
        if not hasattr(card, "persons_consent"):  # a card of a list is read with it
            queries.read_persons_consent([card])
        return rules.may_be_emailed(card)

    @extend_schema_field(DecodingSerializer)
    def get_decoding(self, card: Card) -> dict:
        # as_json() has DecodingSerializer's shape already; a nested serializer per card
        # took three quarters of a page's time.
        decoding = getattr(card, "decoding", None) or card.decode()
        return decoding.as_json()


def _text_field(name: str) -> serializers.CharField:
    """Return the API field for the booth form's field ``name``, with its length limit."""
    field = CardForm.base_fields[name]
    return serializers.CharField(
        required=False, allow_blank=True, max_length=field.max_length, trim_whitespace=False
    )


class CardFieldsSerializer(KnownFieldsOnly, serializers.Serializer):
    """A card's folds and fields: only the JSON types are checked here; CardForm checks the
    rest."""

    folds = serializers.ListField(
        child=serializers.ChoiceField(choices=folds.CODES), required=False, allow_empty=True
    )
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


class CardInputSerializer(CardFieldsSerializer):
    """A card to log."""

    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    logged_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the card was typed, if a client kept it to send later: a time ahead "
        f"of the server's is now, one more than {OUTBOX_DAYS} days before it the time the "
        "card arrives.",
    )

    contact = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text='The id of the known person the card is of, as the booth\'s "same person?" '
        "says: the card is theirs whatever its email, and a card with only a phone may be "
        "logged for them.",
    )

    def validate_contact(self, contact_id: int) -> int:
        if not Contact.objects.filter(pk=contact_id).exists():
            raise serializers.ValidationError(f"There is no person {contact_id}.")
        return contact_id

    def form_data(self) -> dict:
        """Return the valid input as the booth form's data."""
        return {name: value for name, value in self.validated_data.items() if value is not None}


class CardUpdateSerializer(CardFieldsSerializer):
    """An edit of a card: any of its folds and fields, and its follow-up's state, given
    with the version of the card it was made from."""

    STATES = ("open", "done", "dropped")

    version = serializers.IntegerField(
        min_value=0, help_text="The card's version the edit was made from (see 409)."
    )
    state = serializers.ChoiceField(choices=STATES, required=False)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    contact = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="With an `email` of another person: their id, to say that the card is "
        "theirs and move it to them (else the answer is 400, naming them).",
    )

    def validate(self, data: dict) -> dict:
        if "outcome" in data and data.get("state") not in ("done", "dropped"):
            raise serializers.ValidationError(
                {"outcome": ["Give an outcome with the state done or dropped."]}
            )
        if "contact" in data and "email" not in data:
            raise serializers.ValidationError(
                {"contact": ['Give "contact" with the "email" of that person, whose it says.']}
            )
        return data

    def edits(self) -> dict:
        """Return the card's folds, fields and consent the edit changes."""
        return {
            name: value
            for name, value in self.validated_data.items()
            if name in ("folds", *CARD_TEXT_FIELDS, "consent")
        }
