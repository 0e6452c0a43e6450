"""What each card added to a person known before it, for an undo to take back."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0031_vocabulary_names_per_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="added",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
