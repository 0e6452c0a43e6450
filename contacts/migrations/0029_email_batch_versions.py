"""Each card of an email batch with its version when chosen: a card changed since is not
emailed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0028_join_initials_in_company_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailbatch",
            name="versions",
            field=models.JSONField(
                default=dict,
                help_text="Each card's version when it was chosen (card id: version): a card changed since is not emailed.",
            ),
        ),
    ]
