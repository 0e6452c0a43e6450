from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from contacts import folds, queries, services, vocabularies
from contacts.forms import FoldsField, MeaningTemplateForm
from contacts.models import (
    Card,
    Contact,
    Erasure,
    FoldRule,
    Meaning,
    Reprioritization,
    UserSettings,
    Vocabulary,
)


@admin.register(Meaning)
class MeaningAdmin(admin.ModelAdmin):
    form = MeaningTemplateForm
    list_display = ["label", "slug", "weight", "window_days", "colour", "order", "active"]
    list_editable = ["weight", "window_days", "colour", "order", "active"]
    prepopulated_fields = {"slug": ["label"]}
    search_fields = ["slug", "label"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _queued(request, services.meaning_changed(obj))

    def get_deleted_objects(self, objs, request):
        """Refuse to delete a meaning that a rule uses, as the vocabulary editor does: each
        is listed as protected, with the editor's message naming its rules."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for meaning in objs:
            try:
                vocabularies.check_unused(meaning)
            except vocabularies.VocabularyError as e:
                protected.append(str(e))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj) -> None:
        _queued(request, services.delete_meanings(Meaning.objects.filter(pk=obj.pk)))

    def delete_queryset(self, request, queryset) -> None:
        _queued(request, services.delete_meanings(queryset))


def _queued(request, jobs: list[Reprioritization]) -> None:
    """Say that the cards are re-prioritized in the background, and where to follow it."""
    if jobs:
        url = reverse("admin:contacts_reprioritization_changelist")
        messages.info(
            request,
            format_html(
                'The cards are re-prioritized in the background: <a href="{}">progress</a>.',
                url,
            ),
        )


@admin.register(Reprioritization)
class ReprioritizationAdmin(admin.ModelAdmin):
    """The re-prioritizations after vocabulary edits, with how far each is."""

    list_display = ["vocabulary", "created_at", "progress", "finished_at"]
    ordering = ["-created_at"]

    @admin.display(description="re-ordering")
    def progress(self, obj: Reprioritization) -> str:
        return f"{obj.percent}%"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FoldRuleForm(forms.ModelForm):
    pattern = FoldsField(
        label="Folds",
        required=True,
        error_messages={"required": "Choose at least one fold for this rule."},
    )

    class Meta:
        model = FoldRule
        fields = ["pattern", "meanings"]
        widgets = {"meanings": forms.CheckboxSelectMultiple}


class FoldRuleFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            if self._should_delete_form(form) or "pattern" not in form.cleaned_data:
                continue
            pattern = form.cleaned_data["pattern"]
            if pattern in seen:
                raise ValidationError(
                    "Two rules have the same folds (%(folds)s): merge them into one rule.",
                    params={"folds": " + ".join(folds.to_codes(pattern))},
                    code="duplicate_pattern",
                )
            seen.add(pattern)
        super().clean()


class FoldRuleInline(admin.TabularInline):
    model = FoldRule
    form = FoldRuleForm
    formset = FoldRuleFormSet
    extra = 1


class VocabularyAdminForm(forms.ModelForm):
    """A vocabulary, with *site default* apart from the model's field: ticking it moves the
    default from the vocabulary that had it (VocabularyAdmin.save_model), where the model's
    check would refuse a second default."""

    site_default = forms.BooleanField(
        label="Site default",
        required=False,
        help_text=Vocabulary._meta.get_field("is_default").help_text,
    )

    class Meta:
        model = Vocabulary
        fields = ["name", "description", "default_window_days"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site_default"].initial = self.instance.is_default

    def save(self, commit: bool = True) -> Vocabulary:
        self.instance.is_default = self.cleaned_data["site_default"]
        return super().save(commit)


@admin.register(Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    form = VocabularyAdminForm
    list_display = ["name", "is_default", "default_window_days"]
    inlines = [FoldRuleInline]
    readonly_fields = ["decoding_table"]
    fields = ["name", "description", "site_default", "default_window_days", "decoding_table"]

    @admin.display(description="What each fold combination means")
    def decoding_table(self, obj: Vocabulary) -> SafeString:
        if obj.pk is None:
            return "Save the vocabulary to see its decoding table."
        rows = [
            {"keys": folds.to_keys(d.folds), "codes": folds.to_codes(d.folds), "decoding": d}
            for d in obj.table()
        ]
        return render_to_string("admin/contacts/vocabulary/_decoding_table.html", {"rows": rows})

    def save_model(self, request, obj: Vocabulary, form, change) -> None:
        if obj.is_default:
            Vocabulary.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        _queued(request, services.reprioritize([form.instance]))


class MeaningFilter(admin.SimpleListFilter):
    title = "meaning"
    parameter_name = "meaning"

    def lookups(self, request, model_admin):
        return [(m.slug, m.label) for m in Meaning.objects.all()]

    def queryset(self, request, queryset: QuerySet[Card]) -> QuerySet[Card]:
        if not self.value():
            return queryset
        meaning = Meaning.objects.filter(slug=self.value()).first()
        return queryset.with_meaning(meaning) if meaning else queryset.none()


class CardAdminForm(forms.ModelForm):
    folds = FoldsField()

    class Meta:
        model = Card
        fields = [
            "contact",
            "conference",
            "folds",
            "vocabulary",
            "note",
            "photo",
            "thumbnail",
            "logged_by",
            "logged_at",
            "owner",
            "state",
            "snoozed_until",
            "outcome",
        ]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    form = CardAdminForm
    list_display = ["contact", "conference", "fold_codes", "priority", "due_on", "state", "owner"]
    list_filter = ["conference", MeaningFilter, "state"]
    list_select_related = ["contact", "conference", "owner"]
    search_fields = ["contact__name", "contact__company", "contact__email"]
    readonly_fields = ["client_uuid", "priority", "window_days", "due_from", "due_on"]
    raw_id_fields = ["contact"]
    date_hierarchy = "logged_at"

    @admin.display(description="folds")
    def fold_codes(self, obj: Card) -> str:
        return " + ".join(obj.fold_codes) or "—"

    def save_model(self, request: HttpRequest, obj: Card, form, change) -> None:
        obj.apply_decoding(obj.decode())
        super().save_model(request, obj, form, change)


class CardInline(admin.TabularInline):
    model = Card
    fields = ["conference", "logged_at", "priority", "due_on", "state", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "email", "phone"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["name", "company", "email"]
    inlines = [CardInline]

    def save_model(self, request: HttpRequest, obj: Contact, form, change: bool) -> None:
        if "phone" in form.changed_data:
            # The exports and the look-ups by phone read the stored E.164 form.
            obj.read_phone(queries.region_of(obj))
        super().save_model(request, obj, form, change)


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "vocabulary", "last_conference"]


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The record of erasures: read only, as it is what shows that they were done."""

    list_display = ("erased_at", "reason", "cards", "erased_by", "conference")
    list_filter = ("reason",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
