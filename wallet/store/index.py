"""Lookups by a field of the decrypted records (a credential's digest), kept in memory.

Nothing of it is written to disk: the store decrypts every record at unlock anyway, so an
index in memory finds a duplicate without a scan and reveals nothing in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Rows = Iterable[tuple[str, str, Mapping[str, Any]]]  # (record id, kind, data)


class FieldIndex:
    def __init__(self) -> None:
        # (kind, field) -> field value -> record id; built on first use, then kept current.
        self._indexes: dict[tuple[str, str], dict[str, str]] = {}

    def reset(self) -> None:
        self._indexes = {}

    def lookup(
        self,
        kind: str,
        field: str,
        value: str,
        every_row: Callable[[], Rows],
    ) -> str | None:
        """The id of the record of ``kind`` whose ``field`` is ``value``; ``every_row``
        is read only the first time this (kind, field) is asked for."""
        index = self._indexes.get((kind, field))
        if index is None:
            index = {}
            for rid, row_kind, record in sorted(every_row(), key=lambda r: r[0]):
                found = record.get(field)
                if row_kind == kind and isinstance(found, str):
                    index.setdefault(found, rid)
            self._indexes[(kind, field)] = index
        return index.get(value)

    def remove(self, rid: str, record: Mapping[str, Any]) -> None:
        for (_, field), index in self._indexes.items():
            value = record.get(field)
            if isinstance(value, str) and index.get(value) == rid:
                del index[value]

    def add(self, rid: str, kind: str, record: Mapping[str, Any]) -> None:
        for (indexed_kind, field), index in self._indexes.items():
            value = record.get(field)
            if indexed_kind == kind and isinstance(value, str):
                index.setdefault(value, rid)
