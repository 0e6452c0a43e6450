"""Give a conference whose slug is the address of another page (a conference named "New"
got "new", whose page showed the form for a new conference) a slug of its own."""

from django.db import migrations

from events.validators import reserved_slugs


def move_off_reserved_slugs(apps, schema_editor) -> None:
    Conference = apps.get_model("events", "Conference")
    for conference in Conference.objects.filter(slug__in=reserved_slugs()):
        n = 2
        while Conference.objects.filter(slug=f"{conference.slug}-{n}").exists():
            n += 1
        conference.slug = f"{conference.slug}-{n}"
        conference.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_conference_slug_not_reserved"),
    ]

    operations = [
        migrations.RunPython(move_off_reserved_slugs, migrations.RunPython.noop),
    ]
