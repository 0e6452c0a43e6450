from __future__ import annotations

import pytest
from django.test import RequestFactory

from foldcard.proxy import client_ip

PERSON = "203.0.113.5"
PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", PROXY),
        (0, PERSON, PROXY),
        (1, PERSON, PERSON),
        (1, f"198.51.100.1, {PERSON}", PERSON),
        (2, f"198.51.100.1, {PERSON}, 10.0.0.1", PERSON),
        (2, PERSON, PROXY),
        (1, "", PROXY),
    ],
)
def test_it_believes_only_what_the_trusted_proxies_added(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_behind_a_proxy_one_persons_wrong_passwords_lock_only_them(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    wrong = {"username": "alice", "password": "wrong"}
    for _ in range(5):
        response = client.post("/accounts/login/", wrong, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 429
    right = {"username": "alice", "password": "alice-password"}
    response = client.post("/accounts/login/", right, HTTP_X_FORWARDED_FOR=PERSON)
    assert response.status_code == 302
