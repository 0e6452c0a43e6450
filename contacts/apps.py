from __future__ import annotations

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts and follow-ups"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from contacts import search

        post_migrate.connect(search.ensure_sqlite_index, sender=self)
