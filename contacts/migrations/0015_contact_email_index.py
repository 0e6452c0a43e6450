from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0014_card_reading_and_stack_photos"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["email"], name="contact_email"),
        ),
    ]
