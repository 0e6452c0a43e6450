"""What a new database starts with: the default vocabulary of DESIGN.md §2 with its
follow-up emails, and the roles of the README as groups.

The data migration and the tests create them from here. The functions take the models
from ``apps``, a migration's historical models or the app registry, so this module
imports no model.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions

from contacts.folds import DIAG, HALF, LL, LR, UL, UR

# In display order.
MEANINGS = [
    {
        "slug": "asap",
        "label": "Talk ASAP",
        "weight": 50,
        "window_days": 1,
        "colour": "#dc3545",
        "description": "Wants to talk as soon as possible.",
        "email_subject": "Following up from {conference}",
        "email_body": "Hi {first_name},\n\nYou asked to talk as soon as possible when we met at "
        "{conference}. When suits you for a call this week?\n\nBest regards",
    },
    {
        "slug": "unhappy",
        "label": "Unhappy",
        "weight": 40,
        "window_days": 2,
        "colour": "#fd7e14",
        "description": "Not happy; needs care.",
        "email_subject": "Making things right after {conference}",
        "email_body": "Hi {first_name},\n\nThank you for telling me frankly what is not working "
        "for you at {conference}. I would like to fix it: could we talk this week?\n\n"
        "Best regards",
    },
    {
        "slug": "upsell",
        "label": "Wants to buy more",
        "weight": 30,
        "window_days": 3,
        "colour": "#198754",
        "description": "A customer who wants to buy more.",
        "email_subject": "Growing {company}'s setup",
        "email_body": "Hi {first_name},\n\nGreat to see you at {conference}. You mentioned you "
        "would like to do more with us; here is how we could go about it. When can we talk?"
        "\n\nBest regards",
    },
    {
        "slug": "prospect",
        "label": "Prospect",
        "weight": 20,
        "window_days": 3,
        "colour": "#0d6efd",
        "description": "A potential customer looking for advice.",
        "email_subject": "Nice to meet you at {conference}",
        "email_body": "Hi {first_name},\n\nThanks for stopping by at {conference}. As promised, "
        "a few pointers for what you are working on. Happy to talk it through.\n\nBest regards",
    },
    {
        "slug": "customer",
        "label": "Customer",
        "weight": 20,
        "window_days": 7,
        "colour": "#6f42c1",
        "description": "A current customer.",
        "email_subject": "Good to see you at {conference}",
        "email_body": "Hi {first_name},\n\nIt was good to catch up at {conference}. Let me know "
        "if there is anything we can do for {company}.\n\nBest regards",
    },
    {
        "slug": "competitor",
        "label": "Competitor (friendly)",
        "weight": 5,
        "window_days": 14,
        "colour": "#6c757d",
        "description": "A competitor worth talking to.",
        "email_subject": "Good talking at {conference}",
        "email_body": "Hi {first_name},\n\nI enjoyed our conversation at {conference}; let's "
        "keep in touch.\n\nBest regards",
    },
]

VOCABULARY = {
    "name": "Default",
    "description": "The folds of the original business-card habit.",
    "is_default": True,
    "default_window_days": 14,
}

# Fold pattern, meanings.
RULES = [
    (UR, ["customer"]),
    (UL, ["prospect"]),
    (UR | UL, ["customer", "upsell"]),
    (HALF, ["asap"]),
    (DIAG, ["competitor"]),
    (LR, ["customer", "unhappy"]),
    (LL, ["prospect", "unhappy"]),
]

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


def create_default_vocabulary(apps, schema_editor=None) -> None:
    """Create the default meanings, and the default vocabulary from them."""
    Meaning = apps.get_model("contacts", "Meaning")
    FoldRule = apps.get_model("contacts", "FoldRule")
    meanings = {
        fields["slug"]: Meaning.objects.create(order=order, **fields)
        for order, fields in enumerate(MEANINGS)
    }
    vocabulary = apps.get_model("contacts", "Vocabulary").objects.create(**VOCABULARY)
    for pattern, slugs in RULES:
        rule = FoldRule.objects.create(vocabulary=vocabulary, pattern=pattern)
        rule.meanings.set([meanings[slug] for slug in slugs])


def create_roles(apps, schema_editor=None) -> None:
    """Create the roles as groups with their permissions."""
    # Permissions are normally created after all migrations; the groups need them now.
    # create_permissions() skips an app without a models module, as every app of a
    # migration's historical models is.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
