"""A vocabulary's name is unique among the shared vocabularies and among each user's own,
no longer site-wide: a user's copy is not refused for another user's copy of the name."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0030_match_key_name_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="vocabulary",
            name="name",
            field=models.CharField(max_length=80),
        ),
        migrations.AddConstraint(
            model_name="vocabulary",
            constraint=models.UniqueConstraint(
                condition=models.Q(("owner", None)),
                fields=("name",),
                name="one_shared_name",
                violation_error_message="A shared vocabulary with this name exists already.",
            ),
        ),
        migrations.AddConstraint(
            model_name="vocabulary",
            constraint=models.UniqueConstraint(
                condition=models.Q(("owner__isnull", False)),
                fields=("owner", "name"),
                name="one_own_name",
                violation_error_message="Its owner has another vocabulary with this name.",
            ),
        ),
    ]
