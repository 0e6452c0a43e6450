import uuid

from django.db import migrations, models


def give_each_contact_a_uid(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    contacts = list(Contact.objects.filter(uid__isnull=True).only("pk"))
    for contact in contacts:
        contact.uid = uuid.uuid4()
    Contact.objects.bulk_update(contacts, ["uid"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0017_card_person_index"),
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
    ]
