"""The thread and queue that stream what PostgreSQL's COPY writes (exports.copied), with a
cursor of the test's own: the same on every database."""

from __future__ import annotations

import threading

from contacts import exports

ROWS = [b"a,1\n", b"b,2\n", b"c,3\n"]


class Connection:
    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()


class Cursor:
    """A driver's cursor whose COPY writes ROWS, each its own block, or stops when
    cancelled."""

    def __init__(self) -> None:
        self.connection = Connection()

    def copy_expert(self, command: bytes, file: exports.CopyPipe) -> None:
        for row in ROWS:
            if self.connection.cancelled.is_set():
                raise RuntimeError("canceling statement due to user request")
            file.write(row)
            file.flush()


def read_all(cursor: Cursor, blocks: list[bytes]) -> threading.Thread:
    reader = threading.Thread(target=lambda: blocks.extend(exports.copied(cursor, b"COPY")))
    reader.daemon = True  # a reader stuck for ever must not hold the test run
    reader.start()
    return reader


def test_a_finished_copy_whose_thread_still_ends_is_not_taken_for_an_abandoned_one(
    monkeypatch,
):
    release = threading.Event()
    real_copy = exports.CopyPipe.copy

    def copy_then_linger(pipe, cursor, command):
        real_copy(pipe, cursor, command)  # its last block read, the thread goes on a while
        release.wait(10)

    monkeypatch.setattr(exports.CopyPipe, "copy", copy_then_linger)
    cursor, blocks = Cursor(), []
    reader = read_all(cursor, blocks)
    reader.join(0.5)
    release.set()
    reader.join(10)
    assert not reader.is_alive()
    assert b"".join(blocks) == b"".join(ROWS)
    assert not cursor.connection.cancelled.is_set()


class EndlessCursor(Cursor):
    """A COPY of more rows than any queue holds, until cancelled."""

    def copy_expert(self, command: bytes, file: exports.CopyPipe) -> None:
        while not self.connection.cancelled.is_set():
            file.write(ROWS[0])
            file.flush()
        raise RuntimeError("canceling statement due to user request")


def test_an_abandoned_download_cancels_its_copy_and_ends_its_thread():
    threads = threading.active_count()
    cursor = EndlessCursor()
    blocks = exports.copied(cursor, b"COPY")
    assert next(blocks) == ROWS[0]
    blocks.close()  # the response closes it when the client goes away
    assert cursor.connection.cancelled.is_set()
    assert threading.active_count() == threads  # the COPY's thread has ended
