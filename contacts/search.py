"""The follow-up list's search index: each card's searchable text, folded (case and accents
aside), kept in a column of the card (Card.search) and indexed for substrings — on
PostgreSQL by a pg_trgm GIN index (migration 0022), on SQLite by an FTS5 table of
trigrams kept by triggers (ensure_sqlite_index)."""

from __future__ import annotations

from django.db import connections, models
from django.db.models.expressions import RawSQL

from contacts.matching import folded
from contacts.phones import digits_of

SQLITE_TABLE = "contacts_card_search"
# The FTS5 table reads the cards' own column (external content); the triggers keep its
# trigrams in step with every insert, change and delete, whatever makes them.
SQLITE_INDEX = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(
        search, content='contacts_card', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_insert AFTER INSERT ON contacts_card
        BEGIN INSERT INTO {SQLITE_TABLE}(rowid, search) VALUES (new.id, new.search); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_delete AFTER DELETE ON contacts_card
        BEGIN INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search)
        VALUES ('delete', old.id, old.search); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_update AFTER UPDATE OF search
        ON contacts_card BEGIN
        INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search)
        VALUES ('delete', old.id, old.search);
        INSERT INTO {SQLITE_TABLE}(rowid, search) VALUES (new.id, new.search); END""",
]
SQLITE_TRIGGERS = 3
TRIGRAM = 3  # characters


def search_text(*values: str, phone: str) -> str:
    """Return the text a card is found by: ``values`` and its person's ``phone``, written
    as it is and as its digits alone, one per line."""
    return folded("\n".join((*values, phone, digits_of(phone))))


def containing(cards: models.QuerySet, needles: list[str]) -> models.QuerySet:
    """Return the cards whose search text contains one of ``needles`` (folded already)."""
    if connections[cards.db].vendor != "sqlite" or min(map(len, needles)) < TRIGRAM:
        # Fewer characters than a trigram are searched in the cards' column: the FTS5 table
        # would read every row for them too, and SQLite 3.40's finds none beyond ASCII
        # (a name of two Chinese characters, "李雷").
        match = models.Q.create([("search__contains", n) for n in needles], connector="OR")
        return cards.filter(match)
    # A GLOB pattern: the trigram index serves it (LIKE with an ESCAPE clause it does not).
    patterns = ["*" + "".join(f"[{c}]" if c in "*?[" else c for c in n) + "*" for n in needles]
    found = " UNION ".join(
        f"SELECT rowid FROM {SQLITE_TABLE} WHERE search GLOB %s" for _ in needles
    )
    return cards.filter(pk__in=RawSQL(found, patterns))


def ensure_sqlite_index(using: str = "default", **kwargs) -> None:
    """Create the SQLite search index when it is missing, and fill it (after migrate).

    Run after every migrate, not by a migration alone: SQLite alters a table by copying it
    to a new one, which drops the triggers of the old.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if "contacts_card" not in connection.introspection.table_names(cursor):
            return
        columns = connection.introspection.get_table_description(cursor, "contacts_card")
        if "search" not in {column.name for column in columns}:
            return  # migrated back before the search text was kept
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{SQLITE_TABLE}_%"],
        )
        if cursor.fetchone()[0] == SQLITE_TRIGGERS:
            return
        for statement in SQLITE_INDEX:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')")
