"""Create the roles of foldcard as groups: booth staff, managers, vocabulary editors."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Booth staff": [
        "contacts.log_cards",
        "contacts.work_followups",
    ],
    "Managers": [
        "contacts.log_cards",
        "contacts.work_followups",
        "contacts.manage_followups",
        "contacts.export_cards",
        "events.add_conference",
        "events.change_conference",
        "events.view_conference",
    ],
    "Vocabulary editors": [
        f"contacts.{action}_{model}"
        for model in ("meaning", "vocabulary", "foldrule")
        for action in ("add", "change", "delete", "view")
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_card_permissions"),
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
