"""Helpers for iterables that the standard library of Python 3.11 lacks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield ``items`` in lists of ``size`` (the last may be shorter), reading no further
    ahead than a list: itertools.batched of Python 3.12, as lists."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
