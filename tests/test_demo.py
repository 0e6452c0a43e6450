from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from events.models import Conference

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return re.search(r"password (\S+)", out.getvalue()).group(1)


def test_it_creates_a_login_and_a_conference_and_can_run_again():
    run_demo()
    password = run_demo()
    assert authenticate(username="demo", password=password) is not None
    assert Conference.objects.filter(slug="demo-expo").count() == 1
