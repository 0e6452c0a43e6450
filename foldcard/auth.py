"""Who is logged in, read once per request with everything a request asks of them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value

from contacts.queries import with_decoder
from foldcard.sql import JSONRows, Prepared, rows_of
from webhooks.events import any_active


class Backend(ModelBackend):
    """Django's ModelBackend, reading a logged-in user with their permissions, what
    decodes their cards (queries.with_decoder) and whether any webhook endpoint is active
    (``webhooks_active``, see webhooks.events.emit) in one query instead of five.

    Nothing is kept between requests but that query's SQL (USER, a Prepared query): a role
    or vocabulary changed is seen by the next request on every server.
    """

    def get_user(self, user_id):
        user = USER.first(get_user_model()._meta.pk.to_python(user_id))
        if user is None or not self.user_can_authenticate(user):
            return None
        user.webhooks_active = bool(user.webhooks_active)  # SQLite's EXISTS is 0 or 1
        if not user.is_superuser:
            # What ModelBackend.get_all_permissions would read (a superuser has them all).
            user._perm_cache = {f"{app}.{name}" for app, name in rows_of(user.permission_rows)}
        return user


def _user_query(pk) -> QuerySet:
    """Return the query of the user ``pk`` with everything a request asks of them."""
    own_or_group = Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    permissions = (
        Permission.objects.filter(own_or_group)
        .order_by()
        .annotate(rows=JSONRows("content_type__app_label", "codename"))
        .values("rows")
    )
    users = get_user_model()._default_manager.annotate(
        permission_rows=Subquery(permissions), webhooks_active=any_active()
    )
    # Value: the id's marker is text (see Prepared).
    return with_decoder(users).filter(pk=Value(pk))


# Read by every request of someone logged in, where building and compiling the query
# cost more than running it (2.4 ms against 0.2 ms on SQLite).
USER = Prepared(_user_query)
