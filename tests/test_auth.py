from __future__ import annotations

from django.contrib.auth.models import Group
from django.urls import reverse

from foldcard import auth


def test_the_user_is_read_anew_on_every_request(client, bob):
    # Only the query's SQL is kept (a Prepared query): a role taken away is seen by the
    # very next request.
    client.force_login(bob)
    assert client.get(reverse("contacts-followups")).status_code == 200
    bob.groups.remove(Group.objects.get(name="Booth staff"))
    assert client.get(reverse("contacts-followups")).status_code == 403


def test_a_user_is_read_with_their_permissions_vocabulary_and_webhooks(client, bob):
    user = auth.Backend().get_user(bob.pk)
    assert user == bob and user.has_perm("contacts.log_cards")
    assert not user.has_perm("contacts.manage_followups")
    assert user.webhooks_active is False and user.decoder_vocabulary is not None


def test_an_unknown_or_inactive_user_is_nobody(bob):
    assert auth.Backend().get_user(bob.pk + 1) is None
    bob.is_active = False
    bob.save()
    assert auth.Backend().get_user(bob.pk) is None
