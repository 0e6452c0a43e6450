"""The contacts schema as it stands after migrations 0001 to 0012, then what a new
database starts with: the default vocabulary with its follow-up emails, the roles, and
on PostgreSQL the cards' pages kept half free.

A database part-way through 0001 to 0012 finishes those instead; the old files go once
every database has passed 0012 (tests/test_migrations.py checks both ways agree).
"""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from contacts import defaults


def leave_half_of_each_card_page_free(apps, schema_editor):
    """On PostgreSQL, keep half of each page of cards free: a weight edit can rewrite the
    priority of every card (a meaning carried by every other fold combination rewrites half
    of them), and with room for a new version of each row in its own page, each rewrite is a
    HOT update that touches no index. No index holds the priority for the same reason. 70%
    full left room for about two rows in five, and the first edit after a conference moved
    many rows to other pages, adding entries to every index (measured in README,
    Performance)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contacts_card SET (fillfactor = 50)")


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("contacts", "0001_initial"),
        ("contacts", "0002_default_vocabulary"),
        ("contacts", "0003_meaning_email_template"),
        ("contacts", "0004_default_email_templates"),
        ("contacts", "0005_card_waiting_and_followup_indexes"),
        ("contacts", "0006_card_permissions"),
        ("contacts", "0007_roles"),
        ("contacts", "0008_card_version"),
        ("contacts", "0009_card_fewer_indexes"),
        ("contacts", "0010_card_followup_indexes_without_priority"),
        ("contacts", "0011_card_fillfactor_half"),
        ("contacts", "0012_rename_profile_usersettings"),
    ]

    dependencies = [
        ("events", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The roles are groups of permissions.
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The schema.
        migrations.CreateModel(
            name="Meaning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=40, unique=True)),
                ("label", models.CharField(max_length=80)),
                ("description", models.TextField(blank=True)),
                (
                    "weight",
                    models.IntegerField(
                        default=0,
                        help_text="Added to a card's priority; higher comes first.",
                        validators=[
                            django.core.validators.MinValueValidator(-1000),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="priority weight",
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Days after the conference to follow up; a card takes its smallest window.",
                        validators=[django.core.validators.MaxValueValidator(365)],
                        verbose_name="follow-up window (days)",
                    ),
                ),
                (
                    "colour",
                    models.CharField(
                        default="#6c757d",
                        max_length=7,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^#[0-9a-fA-F]{6}$",
                                "Enter a colour as # and six hex digits, e.g. #1f77b4.",
                            )
                        ],
                    ),
                ),
                (
                    "order",
                    models.PositiveSmallIntegerField(default=0, verbose_name="display order"),
                ),
                ("active", models.BooleanField(default=True)),
                (
                    "email_subject",
                    models.CharField(
                        blank=True,
                        help_text="Subject of the follow-up email. Placeholders: {name} {first_name} {company} {conference} {note}.",
                        max_length=200,
                    ),
                ),
                (
                    "email_body",
                    models.TextField(
                        blank=True, help_text="Body of the follow-up email; same placeholders."
                    ),
                ),
            ],
            options={
                "ordering": ["order", "slug"],
            },
        ),
        migrations.CreateModel(
            name="Vocabulary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, unique=True)),
                ("description", models.TextField(blank=True)),
                (
                    "is_default",
                    models.BooleanField(
                        default=False,
                        help_text="Used by everyone who has not chosen another.",
                        verbose_name="site default",
                    ),
                ),
                (
                    "default_window_days",
                    models.PositiveSmallIntegerField(
                        default=14,
                        validators=[django.core.validators.MaxValueValidator(365)],
                        verbose_name="window for unclassified cards (days)",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "vocabularies",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)),
                        fields=("is_default",),
                        name="one_default_vocabulary",
                        violation_error_message="Only one vocabulary can be the site default.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FoldRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "vocabulary",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="contacts.vocabulary",
                    ),
                ),
                (
                    "pattern",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(63),
                        ]
                    ),
                ),
                ("meanings", models.ManyToManyField(related_name="rules", to="contacts.meaning")),
            ],
            options={
                "ordering": ["vocabulary", "pattern"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("vocabulary", "pattern"),
                        name="one_rule_per_pattern",
                        violation_error_message="This vocabulary already has a rule for these folds.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("pattern__gte", 1), ("pattern__lte", 63)),
                        name="rule_pattern_is_a_fold_combination",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="UserSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="foldcard_settings",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "vocabulary",
                    models.ForeignKey(
                        blank=True,
                        help_text="The vocabulary new cards are decoded with; the site default when empty.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="contacts.vocabulary",
                    ),
                ),
                (
                    "last_conference",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="events.conference",
                    ),
                ),
            ],
            options={
                "verbose_name": "user's settings",
                "verbose_name_plural": "users' settings",
            },
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=200)),
                ("company", models.CharField(blank=True, max_length=200)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=50)),
                ("website", models.URLField(blank=True, max_length=300)),
                ("notes", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["name", "company"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("email", ""), _negated=True),
                        fields=("email",),
                        name="one_contact_per_email",
                        violation_error_message="A contact with this email already exists.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Card",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cards",
                        to="contacts.contact",
                    ),
                ),
                (
                    "conference",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cards",
                        to="events.conference",
                    ),
                ),
                (
                    "folds",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Bitmask, see folds.py.",
                        validators=[django.core.validators.MaxValueValidator(63)],
                    ),
                ),
                (
                    "vocabulary",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cards",
                        to="contacts.vocabulary",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="what was said")),
                ("photo", models.ImageField(blank=True, upload_to="cards/%Y/%m/")),
                ("thumbnail", models.ImageField(blank=True, upload_to="cards/%Y/%m/")),
                (
                    "logged_by",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("logged_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("client_uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Who follows up.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_cards",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("priority", models.IntegerField(default=0)),
                ("window_days", models.PositiveSmallIntegerField(default=0)),
                (
                    "due_from",
                    models.DateField(
                        help_text="The conference's last day, or the day logged if later."
                    ),
                ),
                ("due_on", models.DateField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("done", "Done"),
                            ("snoozed", "Snoozed"),
                            ("dropped", "Dropped"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("state_changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "state_changed_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("snoozed_until", models.DateField(blank=True, null=True)),
                ("outcome", models.TextField(blank=True)),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Raised by each edit, so that two edits cannot overwrite each other.",
                    ),
                ),
                (
                    "waiting",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.ExpressionWrapper(
                            models.Q(("state__in", ["open", "snoozed"])),
                            output_field=models.BooleanField(),
                        ),
                        output_field=models.BooleanField(),
                    ),
                ),
            ],
            options={
                "ordering": ["due_on", "-priority", "logged_at"],
                "permissions": [
                    ("log_cards", "Can log and edit cards at the booth"),
                    ("work_followups", "Can see the follow-ups and work their own"),
                    ("manage_followups", "Can work and reassign everyone's follow-ups"),
                    ("export_cards", "Can export a conference's cards"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("folds__lte", 63)), name="card_folds_are_a_combination"
                    )
                ],
                "indexes": [
                    models.Index(
                        fields=["waiting", "due_on", "snoozed_until"], name="card_followups"
                    ),
                    models.Index(
                        fields=["owner", "waiting", "due_on", "snoozed_until"],
                        name="card_followups_by_owner",
                    ),
                    models.Index(fields=["vocabulary", "folds"], name="card_vocabulary_folds"),
                    models.Index(
                        fields=["conference", "-logged_at"], name="card_conference_latest"
                    ),
                ],
            },
        ),
        # The data a new database starts with. Reversed, the vocabulary goes with its tables;
        # the groups are in auth's and are removed.
        migrations.RunPython(defaults.create_default_vocabulary, migrations.RunPython.noop),
        migrations.RunPython(defaults.create_roles, defaults.remove_roles),
        # How PostgreSQL stores the cards; reversed, the table goes.
        migrations.RunPython(leave_half_of_each_card_page_free, migrations.RunPython.noop),
    ]
