from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from events.validators import reserved_slugs, validate_slug_not_reserved


class Conference(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_slug_not_reserved])
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
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
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events-detail", args=[self.slug])

    def clean(self) -> None:
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
