"""Every API operation, fuzzed from its OpenAPI schema: no 5xx, and every response as the
schema says."""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from contacts.folds import UR
from foldcard.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Read through the app itself, which serves the schema without touching the database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def connection_kept():
    """Keep the test's database connection open across requests, as Django's test client
    does: the WSGI handler would close it when each request ends, inside the test's
    transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key(db, alice, make_card, settings) -> str:
    """Return a token of alice's, with a card and a conference for the operations to find;
    she edits vocabularies too, so that their writes are fuzzed beyond a 403."""
    make_card(UR)
    alice.groups.add(Group.objects.get(name="Vocabulary editors"))
    settings.API_RATE_LIMIT = "100000/minute"
    cache.clear()
    return ApiToken.issue(alice, "fuzzing")[1]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case, key):
    # Uncompressed: the WSGI client does not undo the site's gzip.
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
