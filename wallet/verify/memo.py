"""The one bound every verification memo keeps: a plain dict holding at most ``limit``
entries, the oldest dropped first. A memo stays a dict (tests clear and count it); only
its insertion goes through here, so the bound is written once."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key``, first dropping the oldest entry of a full memo."""
    if key not in memo and len(memo) >= limit:
        memo.pop(next(iter(memo)))
    memo[key] = value
    return value
