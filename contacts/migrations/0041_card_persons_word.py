from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0040_card_met"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="card",
            index=models.Index(
                condition=models.Q(("consent__in", ("consent", "declined"))),
                fields=["contact", "consent_at", "id", "consent"],
                name="card_persons_word",
            ),
        ),
    ]
