"""Unlock-time verification of a snapshot: the store MAC over the manifest (or the legacy
one-blob manifest), every row against its manifest entry, and every record's AEAD."""

from __future__ import annotations

import contextlib
import gc
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wallet.errors import IntegrityError
from wallet.store import keys, records
from wallet.store.manifest import MAC_VERSION, Manifest, store_mac
from wallet.store.rows import Row, Snapshot, entry_of, legacy_mac, slot_tuples

STORE_MAC = "store-mac"


@dataclass
class Loaded:
    rows: dict[str, Row] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    # None for a legacy store, or one opened damaged: the next write rebuilds it.
    manifest: Manifest | None = None
    problems: list[IntegrityError] = field(default_factory=list)


def verify_snapshot(snap: Snapshot, sub: keys.SubKeys, store_id: str) -> Loaded:
    """Everything that can be trusted in ``snap``, and every problem found (each naming
    its record)."""
    with gc_paused():
        return _verify(snap, sub, store_id)


def _verify(snap: Snapshot, sub: keys.SubKeys, store_id: str) -> Loaded:
    problems: list[IntegrityError] = []
    legacy = snap.meta.get("mac_version") != MAC_VERSION
    expected_entries: dict[str, list[Any]] = {}
    stored = Manifest.from_stored(snap.buckets)
    if legacy:
        # Stores written before the bucketed manifest: one manifest blob in meta.
        manifest_bytes = snap.meta.get("manifest", b"")
        expected_mac = legacy_mac(sub.mac, store_id, snap.generation, snap.slots, manifest_bytes)
    else:
        expected_mac = store_mac(
            sub.mac, store_id, snap.generation, slot_tuples(snap.slots), stored.root()
        )
    mac_ok = hmac.compare_digest(expected_mac, snap.meta.get("mac", b""))
    verified: Manifest | None = None
    if mac_ok:
        try:
            if legacy:
                expected_entries = json.loads(snap.meta.get("manifest", b""))
            else:
                verified = stored.decoded()
                expected_entries = verified.entries()
        except ValueError:
            mac_ok = False
    if not mac_ok:
        problems.append(
            IntegrityError(
                "store MAC mismatch: the wallet's index or key slots were tampered with",
                record_id=STORE_MAC,
            )
        )
    rows: dict[str, Row] = {}
    data: dict[str, dict[str, Any]] = {}
    for row in snap.rows.values():
        expected = expected_entries.get(row.id)
        if mac_ok:
            if expected is None:
                problems.append(
                    IntegrityError(
                        f"record {row.id} ({row.kind}) is not part of this wallet",
                        record_id=row.id,
                    )
                )
                continue
            if expected != entry_of(row):
                problems.append(
                    IntegrityError(
                        f"record {row.id} ({row.kind}) was replaced, relabelled or rolled back",
                        record_id=row.id,
                    )
                )
                continue
        try:
            data[row.id] = records.open_blob(
                sub.records, store_id, row.id, row.kind, row.revision, row.blob
            )
        except IntegrityError as exc:
            problems.append(exc)
            continue
        rows[row.id] = row
    for missing in sorted(set(expected_entries) - set(snap.rows)):
        kind = expected_entries[missing][0]
        problems.append(IntegrityError(f"record {missing} ({kind}) was deleted", record_id=missing))
    # A legacy store is rewritten in the bucketed form by its next write.
    return Loaded(rows, data, None if problems else verified, problems)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Decoding thousands of records makes millions of acyclic objects; the cyclic
    collector would rescan the growing heap again and again (half the unlock time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
