from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0013_followup_emails_and_digests"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["email"], name="contact_email"),
        ),
    ]
