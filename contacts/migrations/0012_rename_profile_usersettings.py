from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0011_card_fillfactor_half"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Profile", "UserSettings"),
        migrations.AlterModelOptions(
            name="usersettings",
            options={"verbose_name": "user's settings", "verbose_name_plural": "users' settings"},
        ),
        migrations.AlterField(
            model_name="usersettings",
            name="user",
            field=models.OneToOneField(
                on_delete=models.CASCADE,
                related_name="foldcard_settings",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
