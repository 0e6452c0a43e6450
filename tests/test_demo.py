from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from events.models import Conference

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return re.search(r"password (\S+)", out.getvalue()).group(1)


def test_it_creates_a_login_and_a_conference_and_can_run_again():
    run_demo()
    password = run_demo()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="demo", password=password) is not None
    assert Conference.objects.filter(slug="demo-expo").count() == 1
