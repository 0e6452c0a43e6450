from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from events.models import Conference


class Command(BaseCommand):
    help = "Create (or reset) the demo login and a demo conference, and print the login."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="demo")
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        today = timezone.localdate()
        Conference.objects.get_or_create(
            slug="demo-expo",
            defaults={
                "name": "Demo Expo",
                "starts_on": today,
                "ends_on": today + timedelta(days=2),
                "location": "Hall 4, booth 12",
                "created_by": user,
            },
        )
        self.stdout.write(f"Demo login: user demo, password {password}")
