"""Sessions in the database (shared by every server), read by SQL compiled once."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from foldcard.sql import Prepared

SESSION = Prepared(lambda key: Session.objects.filter(session_key=key))


class SessionStore(db.SessionStore):
    """Django's database sessions, the session read as Django reads it (by its key, if
    it has not expired) by a Prepared query: every request of someone logged in reads it."""

    def _get_session_from_db(self) -> Session | None:
        session = SESSION.first(self.session_key)
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
