"""Give the default meanings a follow-up email to start from."""

from django.db import migrations

TEMPLATES = {
    "asap": (
        "Following up from {conference}",
        "Hi {first_name},\n\nYou asked to talk as soon as possible when we met at {conference}. "
        "When suits you for a call this week?\n\nBest regards",
    ),
    "unhappy": (
        "Making things right after {conference}",
        "Hi {first_name},\n\nThank you for telling me frankly what is not working for you at "
        "{conference}. I would like to fix it: could we talk this week?\n\nBest regards",
    ),
    "upsell": (
        "Growing {company}'s setup",
        "Hi {first_name},\n\nGreat to see you at {conference}. You mentioned you would like to "
        "do more with us; here is how we could go about it. When can we talk?\n\nBest regards",
    ),
    "prospect": (
        "Nice to meet you at {conference}",
        "Hi {first_name},\n\nThanks for stopping by at {conference}. As promised, a few pointers "
        "for what you are working on. Happy to talk it through.\n\nBest regards",
    ),
    "customer": (
        "Good to see you at {conference}",
        "Hi {first_name},\n\nIt was good to catch up at {conference}. Let me know if there is "
        "anything we can do for {company}.\n\nBest regards",
    ),
    "competitor": (
        "Good talking at {conference}",
        "Hi {first_name},\n\nI enjoyed our conversation at {conference}; let's keep in touch."
        "\n\nBest regards",
    ),
}


def add_templates(apps, schema_editor):
    Meaning = apps.get_model("contacts", "Meaning")
    for slug, (subject, body) in TEMPLATES.items():
        Meaning.objects.filter(slug=slug, email_subject="", email_body="").update(
            email_subject=subject, email_body=body
        )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_meaning_email_template")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
