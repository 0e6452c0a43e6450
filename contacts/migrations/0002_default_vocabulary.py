"""Create the default meanings and vocabulary of DESIGN.md §2."""

from django.db import migrations

UL, UR, LL, LR, HALF, DIAG = 1, 2, 4, 8, 16, 32

MEANINGS = [
    # slug, label, weight, window (days), colour, description
    ("asap", "Talk ASAP", 50, 1, "#dc3545", "Wants to talk as soon as possible."),
    ("unhappy", "Unhappy", 40, 2, "#fd7e14", "Not happy; needs care."),
    ("upsell", "Wants to buy more", 30, 3, "#198754", "A customer who wants to buy more."),
    ("prospect", "Prospect", 20, 3, "#0d6efd", "A potential customer looking for advice."),
    ("customer", "Customer", 20, 7, "#6f42c1", "A current customer."),
    ("competitor", "Competitor (friendly)", 5, 14, "#6c757d", "A competitor worth talking to."),
]

RULES = [
    (UR, ["customer"]),
    (UL, ["prospect"]),
    (UR | UL, ["customer", "upsell"]),
    (HALF, ["asap"]),
    (DIAG, ["competitor"]),
    (LR, ["customer", "unhappy"]),
    (LL, ["prospect", "unhappy"]),
]


def create_default_vocabulary(apps, schema_editor):
    Meaning = apps.get_model("contacts", "Meaning")
    Vocabulary = apps.get_model("contacts", "Vocabulary")
    FoldRule = apps.get_model("contacts", "FoldRule")
    meanings = {}
    for order, (slug, label, weight, window, colour, description) in enumerate(MEANINGS):
        meanings[slug] = Meaning.objects.create(
            slug=slug,
            label=label,
            weight=weight,
            window_days=window,
            colour=colour,
            description=description,
            order=order,
        )
    vocabulary = Vocabulary.objects.create(
        name="Default",
        description="The folds of the original business-card habit.",
        is_default=True,
        default_window_days=14,
    )
    for pattern, slugs in RULES:
        rule = FoldRule.objects.create(vocabulary=vocabulary, pattern=pattern)
        rule.meanings.set([meanings[slug] for slug in slugs])


def remove_default_vocabulary(apps, schema_editor):
    apps.get_model("contacts", "Vocabulary").objects.filter(name="Default").delete()
    apps.get_model("contacts", "Meaning").objects.filter(
        slug__in=[row[0] for row in MEANINGS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create_default_vocabulary, remove_default_vocabulary)]
