import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_each_contact_a_uid(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    contacts = list(Contact.objects.filter(uid__isnull=True).only("pk"))
    for contact in contacts:
        contact.uid = uuid.uuid4()
    Contact.objects.bulk_update(contacts, ["uid"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0023_reprioritizations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A unique column with a default for rows already there is added empty, filled
        # one value per row, then made unique (Django's "Migrations that add unique
        # fields").
        migrations.AddField(
            model_name="contact",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="UID"),
        ),
        migrations.RunPython(give_each_contact_a_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contact",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="UID"
            ),
        ),
        migrations.AddField(
            model_name="card",
            name="consent",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not recorded"),
                    ("consent", "Agreed at the booth (consent)"),
                    ("interest", "Legitimate interest"),
                    ("customer", "Existing customer"),
                    ("declined", "Does not want to be contacted"),
                ],
                default="",
                max_length=10,
                verbose_name="agreed to be contacted",
            ),
        ),
        migrations.AddField(
            model_name="card",
            name="consent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="consent recorded at"),
        ),
        migrations.AddField(
            model_name="card",
            name="consent_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="consent recorded by",
            ),
        ),
        migrations.CreateModel(
            name="Erasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("erased_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("request", "The person asked (erasure)"),
                            ("retention", "The conference's retention period ended"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "cards",
                    models.PositiveIntegerField(default=0, help_text="How many cards were erased."),
                ),
                (
                    "anonymized",
                    models.BooleanField(
                        default=False,
                        help_text="The cards were kept without the person (retention).",
                    ),
                ),
                (
                    "conference",
                    models.ForeignKey(
                        blank=True,
                        help_text="The conference whose retention ended.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="events.conference",
                    ),
                ),
                (
                    "erased_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: a command (erase_person, apply_retention).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-erased_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="card",
            name="anonymized_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
