from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from contacts import folds, matching, phones, rules, search
from foldcard.sql import Switch

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits, e.g. #1f77b4."
)


class Meaning(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    weight = models.IntegerField(
        "priority weight",
        default=0,
        validators=[MinValueValidator(-1000), MaxValueValidator(1000)],
        help_text="Added to a card's priority; higher comes first.",
    )
    window_days = models.PositiveSmallIntegerField(
        "follow-up window (days)",
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="Days after the conference to follow up; a card takes its smallest window.",
    )
    colour = models.CharField(max_length=7, default="#6c757d", validators=[colour_validator])
    order = models.PositiveSmallIntegerField("display order", default=0)
    active = models.BooleanField(default=True)
    email_subject = models.CharField(
        max_length=200,
        blank=True,
        help_text="Subject of the follow-up email. Placeholders: {name} {first_name} "
        "{company} {conference} {note}.",
    )
    email_body = models.TextField(
        blank=True, help_text="Body of the follow-up email; same placeholders."
    )

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.label

    def as_fold_meaning(self) -> folds.Meaning:
        return folds.Meaning(**{name: getattr(self, name) for name in FOLD_MEANING_FIELDS})


# The columns of a meaning that decoding uses, as folds.Meaning takes them.
FOLD_MEANING_FIELDS = (
    "slug",
    "label",
    "weight",
    "window_days",
    "colour",
    "order",
    "email_subject",
    "email_body",
)


def fold_rules_of(rows: Iterable[tuple[int, str | None]]) -> list[folds.Rule]:
    """Return the rules for the fold engine from (pattern, meaning slug) rows, one row per
    meaning of a rule (a rule without meanings: one row without a slug)."""
    patterns: dict[int, set[str]] = {}
    for pattern, slug in rows:
        patterns.setdefault(pattern, set())
        if slug:
            patterns[pattern].add(slug)
    return [folds.Rule(p, frozenset(slugs)) for p, slugs in sorted(patterns.items())]


class Vocabulary(models.Model):
    # Unique among the shared vocabularies, and among each user's own: another user's copy
    # may have any name (one_shared_name, one_own_name).
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        "site default", default=False, help_text="Used by everyone who has not chosen another."
    )
    default_window_days = models.PositiveSmallIntegerField(
        "window for unclassified cards (days)", default=14, validators=[MaxValueValidator(365)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="own_vocabularies",
        help_text="Whose own copy this is; empty: shared, edited by the vocabulary editors.",
    )

    class Meta:
        verbose_name_plural = "vocabularies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_vocabulary",
                violation_error_message="Only one vocabulary can be the site default.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(owner=None),
                name="one_shared_name",
                violation_error_message="A shared vocabulary with this name exists already.",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(owner__isnull=False),
                name="one_own_name",
                violation_error_message="Its owner has another vocabulary with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse a name another vocabulary of the same owner has (one_shared_name,
        one_own_name, checked here for forms without the owner, as the admin's), and a
        user's own copy the name of a shared vocabulary: both are in the lists the user
        picks from. A shared vocabulary may have the name of someone's copy, which is not
        told."""
        others = Vocabulary.objects.filter(name=self.name).exclude(pk=self.pk)
        if others.filter(owner=None).exists():
            if self.owner_id is None:
                raise ValidationError(
                    {"name": "A shared vocabulary with this name exists already."}
                )
            raise ValidationError(
                {"name": "A shared vocabulary has this name: give your copy another."}
            )
        if self.owner_id is not None and others.filter(owner=self.owner_id).exists():
            raise ValidationError({"name": "Its owner has another vocabulary with this name."})

    @classmethod
    def default(cls) -> Vocabulary:
        """Return the site default vocabulary."""
        return cls.objects.order_by("-is_default", "pk").first()

    def fold_rules(self) -> list[folds.Rule]:
        """Return this vocabulary's rules for the fold engine, in one query."""
        return fold_rules_of(self.rules.values_list("pattern", "meanings__slug"))

    def table(self) -> tuple[folds.Decoding, ...]:
        """Return the decoding of all 64 fold combinations (two queries).

        Inactive meanings are left out; their rules still cover their folds.
        """
        meanings = {m.slug: m.as_fold_meaning() for m in Meaning.objects.filter(active=True)}
        return folds.compile_table(self.fold_rules(), meanings, self.default_window_days)


class Reprioritization(models.Model):
    """The cards of a vocabulary being re-decoded after an edit, in the background, in
    batches of cards by id (services.reprioritize, tasks.reprioritize_cards)."""

    vocabulary = models.ForeignKey(Vocabulary, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The cards' ids, from first to last, when the job was queued; done_to: the last id
    # whose card was re-decoded.
    first_id = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    done_to = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["finished_at"], name="reprioritization_running")]

    def __str__(self) -> str:
        return f"{self.vocabulary}: {self.percent}%"

    @property
    def percent(self) -> int:
        """Return how much of the cards' id range is done, in whole percent."""
        if self.finished_at is not None or self.last_id <= self.first_id:
            return 100 if self.finished_at is not None else 0
        done = max(self.done_to - self.first_id + 1, 0)
        return min(99, 100 * done // (self.last_id - self.first_id + 1))


class FoldRule(models.Model):
    vocabulary = models.ForeignKey(Vocabulary, models.CASCADE, related_name="rules")
    pattern = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(folds.ALL)]
    )
    meanings = models.ManyToManyField(Meaning, related_name="rules")

    class Meta:
        ordering = ["vocabulary", "pattern"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "pattern"],
                name="one_rule_per_pattern",
                violation_error_message="This vocabulary already has a rule for these folds.",
            ),
            models.CheckConstraint(
                condition=models.Q(pattern__gte=1, pattern__lte=folds.ALL),
                name="rule_pattern_is_a_fold_combination",
            ),
        ]

    def __str__(self) -> str:
        return " + ".join(folds.to_codes(self.pattern))


class VocabularyChange(models.Model):
    """One saved edit of a meaning, a rule or a vocabulary's own settings: who made it,
    when, and the object before and after (None when it was added or deleted), so that
    it can be shown and reverted (see contacts/vocabularies.py)."""

    class Kind(models.TextChoices):
        MEANING = "meaning", "Meaning"
        RULE = "rule", "Rule"
        VOCABULARY = "vocabulary", "Vocabulary"

    vocabulary = models.ForeignKey(Vocabulary, models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reverts = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class UserSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="foldcard_settings"
    )
    vocabulary = models.ForeignKey(
        Vocabulary,
        models.SET_NULL,
        null=True,
        blank=True,
        help_text="The vocabulary new cards are decoded with; the site default when empty.",
    )
    last_conference = models.ForeignKey(
        "events.Conference", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    digest_at = models.TimeField(
        "morning digest at",
        default=time(8, 0),
        null=True,
        blank=True,
        help_text="An email listing what is overdue and due today; empty: no digest.",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="Where you are, for the digest's hour; the site's time zone when empty.",
    )
    last_digest_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "user's settings"
        verbose_name_plural = "users' settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"

    def get_vocabulary(self) -> Vocabulary:
        return self.vocabulary or Vocabulary.default()

    def get_time_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    @classmethod
    def of(cls, user) -> UserSettings:
        """Return the user's settings, creating them on first use."""
        return cls.objects.select_related("vocabulary").get_or_create(user=user)[0]


# The details of a person that the follow-up list's search finds them by.
SEARCHED_DETAILS = ("name", "company", "email", "phone", "notes")


class Contact(models.Model):
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    # The phone as compared (E.164), read in the country of the conference it was typed
    # at; "" when it is no valid number. Set with the phone (read_phone, store_phones).
    phone_normalized = models.CharField(max_length=20, blank=True, editable=False)
    # The digits of a phone that is no valid number, to compare it as typed
    # (phones.digits); kept by save().
    phone_digits = models.CharField(max_length=50, blank=True, editable=False)
    website = models.URLField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    # The name and company as compared (matching.match_key), kept by save().
    match_key = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by each save, so that two edits cannot overwrite each other and a "
        "merge is undone only while nothing changed the person since.",
    )
    # Who the person is to other address books (a vCard's UID, urn:uuid:…): importing a
    # vCard exported from here finds the person again instead of adding them twice.
    uid = models.UUIDField("UID", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name", "company"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~models.Q(email=""),
                name="one_contact_per_email",
                violation_error_message="A contact with this email already exists.",
            )
        ]
        indexes = [
            # Finding a person by email (the booth, imports). SQLite uses the partial unique
            # index above only for a query that repeats its condition (email <> ''), and
            # scanned every contact for each card logged.
            models.Index(fields=["email"], name="contact_email"),
            # Finding a person by phone (the booth, imports) and the duplicates by phone.
            models.Index(fields=["phone_normalized"], name="contact_phone"),
            # The same for a phone compared as typed.
            models.Index(fields=["phone_digits"], name="contact_phone_digits"),
            # The duplicates by name and company, and the booth's "same person?".
            models.Index(fields=["match_key"], name="contact_match_key"),
        ]

    def __str__(self) -> str:
        return ", ".join(filter(None, (self.display_name, self.company_beside_name)))

    # What save() writes besides the fields changed (see prepare_save).
    KEPT_FIELDS = ("version", "match_key", "phone_digits")

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        self.prepare_save()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.KEPT_FIELDS}
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if not adding and (fields is None or set(fields) & set(SEARCHED_DETAILS)):
            self.refresh_search([self])

    def get_absolute_url(self) -> str:
        return reverse("contacts-contact", args=[self.pk])

    def prepare_save(self) -> None:
        """Set what every save keeps: the email as stored, the match key, the phone's digits
        when it is no valid number, the next version (save() calls it; so does a bulk write
        of people)."""
        self.email = self.normalize_email(self.email)
        self.match_key = matching.match_key(self.name, self.company)
        self.phone_digits = phones.digits(self.phone, self.phone_normalized)
        self.version += 1

    @staticmethod
    def refresh_search(people: list[Contact]) -> None:
        """Rewrite the search text of the cards of ``people`` after their details changed:
        each card keeps its person's details in it (Card.search)."""
        by_id = {person.pk: person for person in people}
        cards = list(Card.objects.filter(contact__in=people).only("pk", "note", "contact_id"))
        for card in cards:
            card.contact = by_id[card.contact_id]
            card.search = card.search_text()
        Card.objects.bulk_update(cards, ["search"])

    @property
    def display_name(self) -> str:
        """Return what the person is shown as: their name, else company, else email."""
        return self.name or self.company or self.email or "Unknown"

    @property
    def company_beside_name(self) -> str:
        """Return the company to show beside the display name: none when it is the name."""
        return self.company if self.company != self.display_name else ""

    def merge(self, details: Mapping[str, str]) -> list[str]:
        """Take the non-empty values of ``details`` (field: value), so that what one source
        leaves out never blanks what is known of the person; return the fields changed."""
        changed = [
            field for field, value in details.items() if value and getattr(self, field) != value
        ]
        for field in changed:
            setattr(self, field, details[field])
        return changed

    def fill(self, details: Mapping[str, str]) -> list[str]:
        """Take the values of ``details`` that add to what is known of the person
        (matching.adds_to: a detail they lack, or a fuller form of it), replacing nothing
        else: "Anna B." leaves "Anna Berg"; return the fields changed."""
        added = {k: v for k, v in details.items() if matching.adds_to(v, getattr(self, k))}
        return self.merge(added)

    def read_phone(self, region: str | None) -> None:
        """Set the phone as compared (E.164) from the phone as typed, read as ``region``'s
        without a country code."""
        self.phone_normalized = phones.e164(self.phone, region)

    @staticmethod
    def normalize_email(email: str) -> str:
        """Return the email as stored: no surrounding spaces, lower case."""
        return email.strip().lower()

    @property
    def tel_url(self) -> str:
        return phones.tel_url(self.phone, self.phone_normalized)

    def all_emails(self, others: Iterable[ContactEmail] | None = None) -> list[str]:
        """Return the person's emails, the primary one first; ``others``: their other
        emails, when they are not to be read from the database."""
        others = self.other_emails.all() if others is None else others
        return [e for e in [self.email, *(o.email for o in others)] if e]

    def all_phones(
        self, others: Iterable[ContactPhone] | None = None
    ) -> list[ContactPhone | Contact]:
        """Return the person's phones (each with ``phone``, ``phone_normalized`` and
        ``tel_url``), the primary one first; ``others`` as for all_emails."""
        others = self.other_phones.all() if others is None else others
        return [*([self] if self.phone else []), *others]


class ContactEmail(models.Model):
    """An email of a person besides their primary one (Contact.email): people change jobs.
    An email names one person only, primary or not (services.set_emails checks)."""

    contact = models.ForeignKey(Contact, models.CASCADE, related_name="other_emails")
    email = models.EmailField(max_length=254, unique=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.email


class ContactPhone(models.Model):
    """A phone of a person besides their primary one (Contact.phone), as typed and as
    compared."""

    contact = models.ForeignKey(Contact, models.CASCADE, related_name="other_phones")
    phone = models.CharField(max_length=50)
    phone_normalized = models.CharField(max_length=20, blank=True, db_index=True)
    # As Contact.phone_digits; kept by save() and by of() for bulk_create.
    phone_digits = models.CharField(max_length=50, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.phone

    def save(self, *args, **kwargs) -> None:
        self.phone_digits = phones.digits(self.phone, self.phone_normalized)
        super().save(*args, **kwargs)

    @classmethod
    def of(cls, contact: Contact, phone: str, normalized: str) -> ContactPhone:
        """Return a new phone of ``contact`` with what save() works out: for bulk_create."""
        return cls(
            contact=contact,
            phone=phone,
            phone_normalized=normalized,
            phone_digits=phones.digits(phone, normalized),
        )

    @property
    def tel_url(self) -> str:
        return phones.tel_url(self.phone, self.phone_normalized)


class ContactMerge(models.Model):
    """Two people made one (contacts/merge.py): who did it, when, each person as they were
    and what moved to the kept one; undone while nothing has changed the kept person since
    (their version is still ``kept_version``)."""

    kept = models.ForeignKey(Contact, models.CASCADE, related_name="merges")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    kept_before = models.JSONField(help_text="The kept person's details before the merge.")
    merged = models.JSONField(help_text="The other person as they were, their id included.")
    moved = models.JSONField(help_text="The ids of what moved to the kept person, by kind.")
    kept_version = models.PositiveIntegerField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_name} into {self.kept}"

    @property
    def merged_name(self) -> str:
        """Return who was merged into the kept person, as they were shown."""
        return self.merged.get("name") or self.merged.get("email") or "A person"


# The follow-up order: due first, then the highest priority, then who was met first.
FOLLOW_UP_ORDER = ("due_on", "-priority", "logged_at", "pk")


class CardQuerySet(models.QuerySet):
    def waiting(self, today: date) -> CardQuerySet:
        """Return the cards waiting for a follow-up (rules.is_waiting). Served by the
        card_followups indexes."""
        return self.filter(rules.waiting(today))

    def with_persons_consent(self) -> CardQuerySet:
        """Annotate each card with ``persons_consent`` (see persons_consent), which
        rules.may_be_emailed asks."""
        return self.annotate(persons_consent=persons_consent())

    def with_basis(self) -> CardQuerySet:
        """Annotate each card with ``basis`` (see contact_basis)."""
        return self.annotate(basis=contact_basis())

    def with_meaning(self, meaning: Meaning) -> CardQuerySet:
        """Return the cards whose folds decode to ``meaning`` under their vocabulary."""
        match = models.Q(pk__in=[])
        for vocabulary in Vocabulary.objects.all():
            masks = [d.folds for d in vocabulary.table() if meaning.slug in slugs_of(d)]
            if masks:
                match |= models.Q(vocabulary=vocabulary, folds__in=masks)
        return self.filter(match)


def slugs_of(decoding: folds.Decoding) -> set[str]:
    return {m.slug for m in decoding.meanings}


class SearchField(models.TextField):
    """A card's search text, worked out from the card whenever the card is written, by
    save() or bulk_create() (see Card.search_text)."""

    def pre_save(self, model_instance: Card, add: bool) -> str:
        if not hasattr(model_instance, "search_text"):
            # A migration's historical model, which has no methods: 0022 fills the column.
            return super().pre_save(model_instance, add)
        value = model_instance.search_text()
        setattr(model_instance, self.attname, value)
        return value


class ReadingState(models.TextChoices):
    CHECKED = "", "Typed or checked"
    WAITING = "waiting", "Waiting to be read"
    READ = "read", "Read from photo — check"
    FAILED = "failed", "Could not be read — type it"


class Consent(models.TextChoices):
    """Whether the person agreed to be contacted, and on what basis (GDPR article 6)."""

    NOT_RECORDED = "", "Not recorded"
    GIVEN = "consent", "Agreed at the booth (consent)"
    INTEREST = "interest", "Legitimate interest"
    CUSTOMER = "customer", "Existing customer"
    DECLINED = "declined", "Does not want to be contacted"


# What a person says of being contacted. Legitimate interest and being a customer are the
# company's grounds, not the person's word: they undo no decline.
PERSONS_WORD = (Consent.GIVEN, Consent.DECLINED)


def persons_consent() -> models.Expression:
    """What a card's person said last of being contacted, on any card of theirs: "consent"
    or "declined" (PERSONS_WORD), recorded latest; "" if they said neither."""
    said = (
        Card.objects.filter(contact=models.OuterRef("contact"))
        .filter(consent__in=PERSONS_WORD)
        .order_by(models.F("consent_at").desc(nulls_last=True), "-pk")
        .values("consent")[:1]
    )
    return Coalesce(models.Subquery(said), models.Value(""))


def contact_basis() -> models.Expression:
    """The basis on which a card's person may be contacted, as an export to a CRM or an
    address book gives it: "declined" when the last they said, on any card of theirs, is
    that they do not want to be (persons_consent, as rules.may_be_emailed asks); else the
    card's legitimate interest or being a customer; else what they said last ("consent"
    or nothing). What the person said is read once per card."""
    grounds = [Consent.INTEREST, Consent.CUSTOMER]
    unless_declined = Switch(
        persons_consent(),
        {Consent.DECLINED: models.Value(Consent.DECLINED)},
        default=models.F("consent"),
    )
    return models.Case(
        models.When(consent__in=grounds, then=unless_declined),
        default=persons_consent(),
        output_field=models.CharField(),
    )


class Card(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SNOOZED = "snoozed", "Snoozed"
        DROPPED = "dropped", "Dropped"

    # Foreign keys without an index of their own are served by the composite indexes in
    # Meta (contact, conference, vocabulary, owner) or rarely looked up (who logged, who
    # changed): every index of this table is rewritten when a weight edit re-prioritizes
    # the cards.
    contact = models.ForeignKey(Contact, models.CASCADE, related_name="cards", db_index=False)
    conference = models.ForeignKey(
        "events.Conference", models.PROTECT, related_name="cards", db_index=False
    )
    folds = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(folds.ALL)], help_text="Bitmask, see folds.py."
    )
    vocabulary = models.ForeignKey(Vocabulary, models.PROTECT, related_name="cards", db_index=False)
    note = models.TextField("what was said", blank=True)
    photo = models.ImageField(upload_to="cards/%Y/%m/", blank=True)
    thumbnail = models.ImageField(upload_to="cards/%Y/%m/", blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", db_index=False
    )
    logged_at = models.DateTimeField(default=timezone.now)
    client_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the card added to a person known before it: the details it filled, each as
    # [what it was, what the card made it], and the email and phone it kept beside theirs
    # ({"filled": {…}, "email": …, "phone": …}); an undo at the booth takes back only that.
    added = models.JSONField(default=dict, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cards",
        help_text="Who follows up.",
        db_index=False,
    )

    # Denormalized from the vocabulary's decoding so that the follow-up list is
    # ordered and paged in the database; services.reprioritize() keeps them current.
    priority = models.IntegerField(default=0)
    window_days = models.PositiveSmallIntegerField(default=0)
    due_from = models.DateField(help_text="The conference's last day, or the day logged if later.")
    due_on = models.DateField()

    state = models.CharField(max_length=10, choices=State, default=State.OPEN)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    snoozed_until = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text="Raised by each edit, so that two edits cannot overwrite each other."
    )
    # A card saved with its photo and folds only is read from the photo in the background;
    # what was read waits for a person to check it (see services.log_card).
    reading_state = models.CharField(
        max_length=10, choices=ReadingState, default=ReadingState.CHECKED, blank=True
    )
    reading = models.JSONField(null=True, blank=True, editable=False)
    consent = models.CharField(
        "agreed to be contacted", max_length=10, choices=Consent, default="", blank=True
    )
    consent_at = models.DateTimeField("consent recorded at", null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name="consent recorded by",
    )
    # Set when the conference's retention took the person and what was said off the card.
    anonymized_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept by the database: the follow-up indexes start with it, so that the list is read
    # in order from an index whatever the database does with query parameters.
    waiting = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(state__in=rules.OPEN_STATES), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    # What the follow-up list's search looks in, case and accents aside; indexed for
    # substrings (contacts/search.py).
    search = SearchField(blank=True, editable=False)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "-priority", "logged_at"]
        permissions = [
            ("log_cards", "Can log and edit cards at the booth"),
            ("work_followups", "Can see the follow-ups and work their own"),
            ("manage_followups", "Can work and reassign everyone's follow-ups"),
            ("export_cards", "Can export a conference's cards"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(folds__lte=folds.ALL), name="card_folds_are_a_combination"
            )
        ]
        indexes = [
            # The follow-up list, everyone's and one owner's (the default): waiting cards
            # by due date (see CardQuerySet.waiting()); with snoozed_until they also cover
            # the list's counts per due bucket. Priority is left out on purpose: a weight
            # edit rewrites the priority of thousands of cards, and with no index holding
            # it PostgreSQL updates those rows in place (HOT, see README, Performance).
            models.Index(fields=["waiting", "due_on", "snoozed_until"], name="card_followups"),
            models.Index(
                fields=["owner", "waiting", "due_on", "snoozed_until"],
                name="card_followups_by_owner",
            ),
            # The list of every state, in due order: the cards done are most of them, which
            # the indexes above read only in `waiting`'s order.
            models.Index(fields=["due_on"], name="card_due"),
            # The list sorted by when met (queries.SORTS): no weight edit changes either.
            models.Index(fields=["waiting", "-logged_at", "id"], name="card_met"),
            # A person's cards (their page, "met before"), and the follow-up list's one row
            # per person per conference (queries.first_per_person): with `waiting` it is the
            # most precise index for "this person's other waiting cards here", which SQLite,
            # without statistics, would otherwise look up through an owner's whole list.
            models.Index(fields=["contact", "conference", "waiting"], name="card_person"),
            # What each card's person said last of being contacted (persons_consent), which
            # the follow-up list, the API and the CRMs' exports ask of every row: only the
            # cards that hold it, so that a person who said nothing is one look into the
            # index, and with the consent (a key, not INCLUDE, which SQLite warns of), so
            # that PostgreSQL reads no card for it.
            models.Index(
                fields=["contact", "consent_at", "id", "consent"],
                name="card_persons_word",
                condition=models.Q(consent__in=PERSONS_WORD),
            ),
            # Re-prioritizing after a vocabulary edit updates cards by vocabulary and folds.
            models.Index(fields=["vocabulary", "folds"], name="card_vocabulary_folds"),
            # The booth's "latest at this conference".
            models.Index(fields=["conference", "-logged_at"], name="card_conference_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} at {self.conference}"

    def decode(self, table: tuple[folds.Decoding, ...] | None = None) -> folds.Decoding:
        """Return this card's decoding, looked up in ``table`` or its vocabulary's."""
        return (table or self.vocabulary.table())[self.folds]

    def apply_decoding(self, decoding: folds.Decoding) -> None:
        """Set the denormalized priority and due date from ``decoding``."""
        self.priority = decoding.priority
        self.window_days = decoding.window_days
        self.refresh_due()

    def refresh_due(self) -> None:
        """Set the due date from the conference's last day, the day logged (where the
        conference takes place) and the window."""
        logged_on = timezone.localdate(self.logged_at, self.conference.zone)
        self.due_from = max(self.conference.ends_on, logged_on)
        self.due_on = folds.due_on(self.conference.ends_on, logged_on, self.window_days)

    def search_text(self) -> str:
        """Return the text the follow-up list's search finds this card by: its person's
        details and notes, and its own note."""
        contact = self.contact
        details = [getattr(contact, name) for name in SEARCHED_DETAILS if name != "phone"]
        return search.search_text(*details, self.note, phone=contact.phone)

    @property
    def fold_codes(self) -> list[str]:
        return folds.to_codes(self.folds)

    def set_state(self, state: str, user, outcome: str | None = None) -> None:
        """Move the follow-up to ``state``, remembering who did it and when."""
        fields = self.state_fields(state, user, outcome, self.snoozed_until)
        for name, value in fields.items():
            setattr(self, name, value)
        # A follow-up's state is an edit like any other: a list loaded before it (a bulk
        # action) or an editor opened before it sees that the card has changed.
        self.version += 1
        self.save(update_fields=[*fields, "version"])

    @classmethod
    def state_fields(
        cls, state: str, user, outcome: str | None = None, snoozed_until: date | None = None
    ) -> dict:
        """Return what moving a follow-up to ``state`` writes: who and when, the outcome
        unless None, and the snooze's end (none but for a snoozed card)."""
        fields = {
            "state": state,
            "state_changed_at": timezone.now(),
            "state_changed_by": user,
            "snoozed_until": snoozed_until if state == cls.State.SNOOZED else None,
        }
        if outcome is not None:
            fields["outcome"] = outcome
        return fields


class SavedFilter(models.Model):
    """A user's named view of the follow-up list: its filters and sort as a query string."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500, blank=True, help_text="The list's query string.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="one_saved_filter_per_name",
                violation_error_message="You have a saved filter of this name already.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("contacts-followups")
        return f"{url}?{self.query}" if self.query else url


class EmailBatch(models.Model):
    """Follow-up emails to many people at once, each their own, sent in the background."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cards = models.ManyToManyField(Card, related_name="+")
    mark_done = models.BooleanField(default=True)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="What could not be sent, and why.")
    finished_at = models.DateTimeField(null=True, blank=True)
    versions = models.JSONField(
        default=dict,
        help_text="Each card's version when it was chosen (card id: version): a card changed "
        "since is not emailed.",
    )

    def __str__(self) -> str:
        return f"{self.total} emails by {self.created_by}"


class SentEmail(models.Model):
    """A follow-up email sent from foldcard, as it was sent."""

    card = models.ForeignKey(Card, models.CASCADE, related_name="emails")
    batch = models.ForeignKey(
        EmailBatch, models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"


class StackPhoto(models.Model):
    """One photo of a stack of cards brought home: read in the background, then reviewed
    by a person, which logs it as a card."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        READ = "read", "Read"
        FAILED = "failed", "Failed"
        DONE = "done", "Logged"
        DISCARDED = "discarded", "Discarded"

    conference = models.ForeignKey("events.Conference", models.CASCADE, related_name="stack_photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    name = models.CharField("file name", max_length=200, blank=True)
    photo = models.ImageField(upload_to="stacks/%Y/%m/")
    thumbnail = models.ImageField(upload_to="stacks/%Y/%m/")
    # The uploaded file's SHA-256: the same photo uploaded again is the same stack photo.
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    reading = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    card = models.OneToOneField(
        Card, models.SET_NULL, null=True, blank=True, related_name="stack_photo"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "sha256"], name="one_stack_photo_per_image"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Photo {self.pk}"


class Import(models.Model):
    """A file of people (CSV or vCards) on its way in: kept between the preview and the
    import, with the column mapping chosen and what checking and importing found."""

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    conference = models.ForeignKey(
        "events.Conference",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text="Where the cards are logged; empty: contacts only, no cards.",
    )
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=[("csv", "CSV"), ("vcard", "vCard")])
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1, blank=True)
    skip = models.PositiveIntegerField(
        default=0, help_text="Records before the header row (e.g. LinkedIn's notes)."
    )
    columns = models.JSONField(default=list, help_text="The file's column names.")
    mapping = models.JSONField(default=list, help_text="What each column is, or '' (ignored).")
    state = models.CharField(max_length=10, choices=State, default=State.CHECKING)
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    attached = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    declines = models.PositiveIntegerField(
        default=0, help_text="The rows skipped that say the person declined, recorded all the same."
    )
    errors = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="The rows' errors (the first ones).")
    sample = models.JSONField(default=list, help_text="The first rows as they will be imported.")
    failure = models.TextField(blank=True, help_text="Why the file could not be imported.")
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} into {self.conference or 'contacts'}"

    def get_absolute_url(self) -> str:
        return reverse("contacts-import-preview", args=[self.pk])


class ImportedRow(models.Model):
    """One row of a file imported, remembered by its key so that importing the same file
    again skips it: the source's own id when it has one, else a hash of the row's content;
    either way with the target (the conference, or contacts only)."""

    key = models.CharField(max_length=64, unique=True)
    conference = models.ForeignKey(
        "events.Conference", models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Deleting the card or the person forgets the row: importing it again brings it back.
    card = models.ForeignKey(Card, models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Import, models.SET_NULL, null=True, blank=True, related_name="imported_rows"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class Erasure(models.Model):
    """A record that personal data was erased: when, by whom, why and how many cards, and
    nothing about the person (see contacts/privacy.py)."""

    class Reason(models.TextChoices):
        REQUEST = "request", "The person asked (erasure)"
        RETENTION = "retention", "The conference's retention period ended"

    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: a command (erase_person, apply_retention).",
    )
    reason = models.CharField(max_length=10, choices=Reason)
    conference = models.ForeignKey(
        "events.Conference",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The conference whose retention ended.",
    )
    cards = models.PositiveIntegerField(default=0, help_text="How many cards were erased.")
    anonymized = models.BooleanField(
        default=False, help_text="The cards were kept without the person (retention)."
    )

    class Meta:
        ordering = ["-erased_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cards} cards erased on {self.erased_at:%Y-%m-%d}"
