"""The store's rows as SQLite holds them, the key slots, and reading a consistent snapshot.

Kept apart from ``store.py`` so the store class holds only the unlock and write logic.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from wallet.errors import IntegrityError, StorageError, WalletError
from wallet.store import keys, records
from wallet.store.manifest import entry

PASSPHRASE_SLOT = "passphrase"
RECOVERY_SLOT = "recovery"


@dataclass(frozen=True)
class Record:
    id: str
    kind: str
    revision: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    revision: int
    blob: bytes


Changes = list[tuple[str, Row | None]]
Items = list[dict[str, Any]]
Ids = list[str]


@dataclass(frozen=True)
class Slot:
    slot: str
    kdf: str
    params: str
    salt: bytes
    wrapped: bytes


@dataclass(frozen=True)
class Snapshot:
    meta: dict[str, bytes]
    slots: dict[str, Slot]
    rows: dict[str, Row]
    buckets: dict[int, bytes]

    @property
    def generation(self) -> int:
        value = self.meta.get("generation", b"0")
        if not value.isdigit():
            raise IntegrityError(
                "the wallet's generation counter is not a number: the file was tampered with",
                record_id="meta",
            )
        return int(value)


def slot_aad(store_id: str, slot: str) -> bytes:
    return f"lw-slot-v1\x00{store_id}\x00{slot}".encode()


def passphrase_slot(
    store_id: str, passphrase: str, params: keys.KdfParams, data_key: bytes
) -> Slot:
    params.check_sane()
    salt = os.urandom(keys.SALT_BYTES)
    kek = keys.derive_passphrase_kek(passphrase, salt, params)
    wrapped = keys.wrap(kek, data_key, slot_aad(store_id, PASSPHRASE_SLOT))
    return Slot(PASSPHRASE_SLOT, "argon2id", params.to_json(), salt, wrapped)


def sealed_recovery_slot(
    store_id: str, data_key: bytes, *, old: Slot | None = None, recovery_key: str | None = None
) -> tuple[Slot, str | None]:
    """The recovery slot for ``data_key``: sealed to the public key of ``old`` when it has
    one (no recovery key needed), else to ``recovery_key``, else to a new recovery key,
    which is returned so that it can be shown."""
    new_key: str | None = None
    if old is not None and old.kdf == keys.RECOVERY_SEALED:
        public, salt = recovery_public(old), old.salt
    else:
        salt = os.urandom(keys.SALT_BYTES)
        if recovery_key is None:
            recovery_key = new_key = keys.new_recovery_key()
        public = keys.recovery_public_key(recovery_key, salt)
    sealed = keys.seal_for_recovery(public, data_key, slot_aad(store_id, RECOVERY_SLOT))
    params = json.dumps({"public": public.hex()})
    return Slot(RECOVERY_SLOT, keys.RECOVERY_SEALED, params, salt, sealed), new_key


def recovery_public(slot: Slot) -> bytes:
    try:
        public = bytes.fromhex(json.loads(slot.params)["public"])
    except (ValueError, KeyError, TypeError):
        raise IntegrityError("the recovery key slot is unreadable", record_id="key-slot") from None
    if len(public) != 32:
        raise IntegrityError("the recovery key slot is unreadable", record_id="key-slot")
    return public


def entry_of(row: Row) -> list[Any]:
    return entry(row.kind, row.revision, records.tag_of(row.blob))


def slot_tuples(slots: dict[str, Slot]) -> list[tuple[str, str, str, bytes, bytes]]:
    return [(s.slot, s.kdf, s.params, s.salt, s.wrapped) for s in slots.values()]


def legacy_mac(
    mac_key: bytes, store_id: str, generation: int, slots: dict[str, Slot], manifest: bytes
) -> bytes:
    h = hmac.new(mac_key, digestmod=hashlib.sha256)
    for part in (b"lw-store-mac-v1", store_id.encode(), str(generation).encode()):
        h.update(len(part).to_bytes(8, "big") + part)
    for name in sorted(slots):
        s = slots[name]
        for part in (s.slot.encode(), s.kdf.encode(), s.params.encode(), s.salt, s.wrapped):
            h.update(len(part).to_bytes(8, "big") + part)
    h.update(len(manifest).to_bytes(8, "big") + manifest)
    return h.digest()


def storage_error(exc: sqlite3.Error) -> WalletError:
    text = str(exc).lower()
    if "full" in text or "disk i/o" in text or "readonly" in text or "no space" in text:
        return StorageError(f"could not write to the wallet: {exc}; nothing was changed")
    if "locked" in text or "busy" in text:
        return StorageError("the wallet is busy in another program; try again")
    return StorageError(f"database error: {exc}; nothing was changed")


def rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    with contextlib.suppress(sqlite3.Error):
        conn.execute("ROLLBACK")


def generation_now(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    value = row[0] if row is not None else b"0"
    return Snapshot(
        {"generation": value if isinstance(value, bytes) else str(value).encode()}, {}, {}, {}
    ).generation


def read_slots(conn: sqlite3.Connection) -> dict[str, Slot]:
    return {
        r[0]: Slot(r[0], r[1], r[2], bytes(r[3]), bytes(r[4]))
        for r in conn.execute("SELECT slot, kdf, params, salt, wrapped FROM key_slots")
    }


def read_snapshot(conn: sqlite3.Connection) -> Snapshot:
    """Meta, key slots and rows read in one transaction, so they belong together."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        meta = {
            k: bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for k, v in conn.execute("SELECT key, value FROM meta")
        }
        slots = read_slots(conn)
        rows = {
            r[0]: Row(r[0], r[1], int(r[2]), bytes(r[3]))
            for r in conn.execute("SELECT id, kind, revision, blob FROM records")
        }
        buckets = {
            int(r[0]): bytes(r[1]) for r in conn.execute("SELECT bucket, entries FROM manifest")
        }
    finally:
        if own:
            conn.execute("COMMIT")
    return Snapshot(meta, slots, rows, buckets)


def copy_data(data: dict[str, Any]) -> dict[str, Any]:
    # Callers get their own copy: mutating it must never change the store's view.
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied
