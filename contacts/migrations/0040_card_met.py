from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0039_other_details_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["waiting", "-logged_at", "id"], name="card_met"),
        ),
    ]
