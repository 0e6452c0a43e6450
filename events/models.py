from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
from babel import Locale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from events.validators import reserved_slugs, validate_slug_not_reserved
from foldcard.sql import Prepared

# The days a conference may have. Every date counted from them stays far from date.max
# (9999-12-31): a follow-up due up to 365 days after the last day, a retention period of up
# to 3650. The first year catches a year typed short ("0026").
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
DAY_OUT_OF_RANGE = "Choose a day between 1 January 1900 and 31 December 2999."
# How many taken slugs a new conference tries past, when others of its name are created at
# the same moment.
SLUG_ATTEMPTS = 10


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Return the IANA time zones this machine knows, by name."""
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def default_time_zone() -> str:
    return settings.TIME_ZONE


@cache
def country_choices() -> list[tuple[str, str]]:
    """Return the countries whose phone numbers the phonenumbers library reads, by their
    English names in the Unicode CLDR (which names every one of them, Kosovo and
    Ascension Island too), with their calling code."""
    names = Locale("en").territories
    choices = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        prefix = phonenumbers.country_code_for_region(code)
        choices.append((code, f"{names[code]} ({code}, +{prefix})"))
    return sorted(choices, key=lambda choice: choice[1])


class Conference(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_slug_not_reserved])
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    location = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        help_text="Where it takes place: the times cards are met are shown, and their "
        "follow-up days counted, in this time zone.",
    )
    country = models.CharField(
        max_length=2,
        choices=country_choices,
        blank=True,
        help_text="Where it takes place: the exports read phone numbers without a country "
        "code as this country's.",
    )
    notes = models.TextField(blank=True)
    retention_days = models.PositiveIntegerField(
        "keep cards for (days)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text="Days after the last day that the cards not followed up are kept (a done "
        "follow-up or an existing customer is kept); empty: kept until deleted.",
    )
    retention_action = models.CharField(
        "then",
        max_length=10,
        choices=[("delete", "delete them"), ("anonymize", "anonymize them")],
        default="delete",
        help_text="Anonymized cards keep their folds and dates for the figures, without "
        "the person or what was said.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="conference_ends_after_it_starts",
                violation_error_message="The last day cannot be before the first day.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Another conference of the same name, created at the same moment, may take the
        # slug between unique_slug()'s check and this insert: then take the next one. The
        # savepoint keeps a PostgreSQL transaction usable after the failed insert.
        for attempt in range(1, SLUG_ATTEMPTS + 1):
            self.slug = self.unique_slug()
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Conference.objects.filter(slug=self.slug).exists()
                self.slug = ""
                if not taken or attempt == SLUG_ATTEMPTS:
                    raise

    def get_absolute_url(self) -> str:
        return reverse("events-detail", args=[self.slug])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def retention_ends(self) -> date | None:
        """Return the day the cards not kept past the retention period go, or None: the day
        after the last day plus the days (0: the day after the conference)."""
        if self.retention_days is None:
            return None
        return self.ends_on + timedelta(days=self.retention_days + 1)

    def today(self) -> date:
        """Return the date where the conference takes place."""
        return timezone.localdate(timezone=self.zone)

    def clean(self) -> None:
        errors = {
            field: DAY_OUT_OF_RANGE
            for field in ("starts_on", "ends_on")
            if getattr(self, field) and not FIRST_DAY <= getattr(self, field) <= LAST_DAY
        }
        if errors:
            raise ValidationError(errors)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day cannot be before the first day."})

    def unique_slug(self) -> str:
        """Return a slug made from the name that no other conference uses and that is not
        the address of another page."""
        base = slugify(self.name)[:70] or "conference"
        slug, n = base, 1
        others = Conference.objects.exclude(pk=self.pk)
        while slug in reserved_slugs() or others.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


# Read by every request of the booth and every card created through the API.
CONFERENCE_WITH_SLUG = Prepared(lambda slug: Conference.objects.filter(slug=slug))
