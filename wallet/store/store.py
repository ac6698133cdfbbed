"""The encrypted record store (ARCHITECTURE.md section 3).

Everything is decrypted and verified once at unlock and served from memory; every write is
one ``BEGIN IMMEDIATE`` transaction that also re-seals the store MAC and bumps the
generation counter, so a second process that wrote in between is noticed and reloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from wallet.errors import (
    IntegrityError,
    LockedError,
    NotFound,
    StorageError,
    UsageError,
    WalletError,
)
from wallet.store import keys, migrations, records

DB_NAME = "wallet.db"
BUSY_TIMEOUT_MS = 10_000
PASSPHRASE_SLOT = "passphrase"
RECOVERY_SLOT = "recovery"
STORE_MAC = "store-mac"


@dataclass(frozen=True)
class Record:
    id: str
    kind: str
    revision: int
    data: dict[str, Any]


@dataclass(frozen=True)
class _Row:
    id: str
    kind: str
    revision: int
    blob: bytes


_Changes = list[tuple[str, _Row | None]]
_Items = list[dict[str, Any]]
_Ids = list[str]


@dataclass(frozen=True)
class _Slot:
    slot: str
    kdf: str
    params: str
    salt: bytes
    wrapped: bytes


@dataclass(frozen=True)
class _Snapshot:
    meta: dict[str, bytes]
    slots: dict[str, _Slot]
    rows: dict[str, _Row]

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", b"0"))


def _slot_aad(store_id: str, slot: str) -> bytes:
    return f"lw-slot-v1\x00{store_id}\x00{slot}".encode()


def _manifest(rows: dict[str, _Row]) -> dict[str, list[Any]]:
    return {
        r.id: [r.kind, r.revision, records.tag_of(r.blob).hex()]
        for r in sorted(rows.values(), key=lambda r: r.id)
    }


def _mac(
    mac_key: bytes, store_id: str, generation: int, slots: dict[str, _Slot], manifest: bytes
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


def _storage_error(exc: sqlite3.Error) -> WalletError:
    text = str(exc).lower()
    if "full" in text or "disk i/o" in text or "readonly" in text or "no space" in text:
        return StorageError(f"could not write to the wallet: {exc}; nothing was changed")
    if "locked" in text or "busy" in text:
        return StorageError("the wallet is busy in another program; try again")
    return StorageError(f"database error: {exc}; nothing was changed")


class Store:
    """An unlocked, encrypted wallet store. Use ``create`` or ``open``."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        store_id: str,
        data_key: bytes,
        *,
        idle_timeout: float,
        read_only: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.store_id = store_id
        self.idle_timeout = idle_timeout
        self.damaged: list[str] = []
        self._conn: sqlite3.Connection | None = conn
        self._keys: keys.SubKeys | None = keys.SubKeys.from_data_key(data_key)
        # Kept only to re-wrap it on a passphrase change; dropped by lock().
        self._data_key: bytes | None = data_key
        self._read_only = read_only
        self._clock = clock
        self._last_use = clock()
        self._rows: dict[str, _Row] = {}
        self._data: dict[str, dict[str, Any]] = {}
        self._generation = 0

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / DB_NAME).exists()

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path / DB_NAME, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        kdf: keys.KdfParams | None = None,
        allow_weak: bool = False,
    ) -> tuple[Store, str]:
        path = Path(path)
        params = kdf or keys.KdfParams()
        params.check_creatable(allow_weak)
        if cls.exists(path):
            raise UsageError(f"a wallet already exists at {path}")
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        store_id = secrets.token_hex(16)
        data_key = secrets.token_bytes(keys.KEY_BYTES)
        recovery_key = keys.new_recovery_key()
        salt = os.urandom(keys.SALT_BYTES)
        recovery_salt = os.urandom(keys.SALT_BYTES)
        slots = {
            PASSPHRASE_SLOT: _Slot(
                PASSPHRASE_SLOT,
                "argon2id",
                params.to_json(),
                salt,
                keys.wrap(
                    keys.derive_passphrase_kek(passphrase, salt, params),
                    data_key,
                    _slot_aad(store_id, PASSPHRASE_SLOT),
                ),
            ),
            RECOVERY_SLOT: _Slot(
                RECOVERY_SLOT,
                "hkdf-sha256",
                "{}",
                recovery_salt,
                keys.wrap(
                    keys.derive_recovery_kek(recovery_key, recovery_salt),
                    data_key,
                    _slot_aad(store_id, RECOVERY_SLOT),
                ),
            ),
        }
        conn = cls._connect(path)
        try:
            os.chmod(path / DB_NAME, 0o600)
            migrations.apply(Database(conn))
            sub = keys.SubKeys.from_data_key(data_key)
            manifest = json.dumps({}, sort_keys=True).encode()
            conn.execute("BEGIN IMMEDIATE")
            for s in slots.values():
                conn.execute(
                    "INSERT INTO key_slots VALUES (?, ?, ?, ?, ?)",
                    (s.slot, s.kdf, s.params, s.salt, s.wrapped),
                )
            meta = {
                "store_id": store_id.encode(),
                "generation": b"1",
                "manifest": manifest,
                "mac": _mac(sub.mac, store_id, 1, slots, manifest),
            }
            conn.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.close()
            raise _storage_error(exc) from None
        store = cls(path, conn, store_id, data_key, idle_timeout=300.0, read_only=False)
        store._generation = 1
        return store, recovery_key

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str,
        *,
        ignore_damaged: bool = False,
        idle_timeout: float = 300.0,
    ) -> Store:
        def unlock(store_id: str, slots: dict[str, _Slot]) -> bytes:
            slot = slots.get(PASSPHRASE_SLOT)
            if slot is None or slot.kdf != "argon2id":
                raise IntegrityError("the passphrase key slot is missing", record_id="key-slot")
            params = keys.KdfParams.from_json(slot.params)  # bounds checked before allocating
            kek = keys.derive_passphrase_kek(passphrase, slot.salt, params)
            return keys.unwrap(kek, slot.wrapped, _slot_aad(store_id, PASSPHRASE_SLOT))

        return cls._open(
            Path(path), unlock, ignore_damaged=ignore_damaged, idle_timeout=idle_timeout
        )

    @classmethod
    def open_with_recovery_key(
        cls, path: Path, recovery_key: str, *, ignore_damaged: bool = False
    ) -> Store:
        def unlock(store_id: str, slots: dict[str, _Slot]) -> bytes:
            slot = slots.get(RECOVERY_SLOT)
            if slot is None:
                raise IntegrityError("the recovery key slot is missing", record_id="key-slot")
            kek = keys.derive_recovery_kek(recovery_key, slot.salt)
            return keys.unwrap(
                kek, slot.wrapped, _slot_aad(store_id, RECOVERY_SLOT), message="wrong recovery key"
            )

        return cls._open(Path(path), unlock, ignore_damaged=ignore_damaged, idle_timeout=300.0)

    @classmethod
    def _open(
        cls,
        path: Path,
        unlock: Callable[[str, dict[str, _Slot]], bytes],
        *,
        ignore_damaged: bool,
        idle_timeout: float,
    ) -> Store:
        if not cls.exists(path):
            raise NotFound(f"no wallet at {path}")
        try:
            conn = cls._connect(path)
            migrations.apply(Database(conn))
            snap = _read_snapshot(conn)
        except sqlite3.Error as exc:
            raise IntegrityError(f"the wallet database cannot be read: {exc}") from None
        try:
            store_id = snap.meta["store_id"].decode()
        except (KeyError, UnicodeDecodeError):
            conn.close()
            raise IntegrityError("the wallet has no store id", record_id="meta") from None
        try:
            data_key = unlock(store_id, snap.slots)
        except WalletError:
            conn.close()
            raise
        store = cls(
            path, conn, store_id, data_key, idle_timeout=idle_timeout, read_only=ignore_damaged
        )
        try:
            store._load(snap, ignore_damaged=ignore_damaged)
        except WalletError:
            store.close()
            raise
        return store

    # -- integrity -----------------------------------------------------------------------

    def _load(self, snap: _Snapshot, *, ignore_damaged: bool) -> None:
        """Verify the whole snapshot (store MAC, manifest, each record) and keep it in memory."""
        sub = self._sub()
        problems: list[IntegrityError] = []
        manifest_bytes = snap.meta.get("manifest", b"")
        expected_mac = _mac(sub.mac, self.store_id, snap.generation, snap.slots, manifest_bytes)
        manifest: dict[str, list[Any]] = {}
        if not hmac.compare_digest(expected_mac, snap.meta.get("mac", b"")):
            problems.append(
                IntegrityError(
                    "store MAC mismatch: the wallet's index or key slots were tampered with",
                    record_id=STORE_MAC,
                )
            )
        else:
            manifest = json.loads(manifest_bytes)
        rows: dict[str, _Row] = {}
        data: dict[str, dict[str, Any]] = {}
        for row in snap.rows.values():
            expected = manifest.get(row.id)
            if not problems or problems[0].record_id != STORE_MAC:
                if expected is None:
                    problems.append(
                        IntegrityError(
                            f"record {row.id} ({row.kind}) is not part of this wallet",
                            record_id=row.id,
                        )
                    )
                    continue
                if expected != [row.kind, row.revision, records.tag_of(row.blob).hex()]:
                    problems.append(
                        IntegrityError(
                            f"record {row.id} ({row.kind}) was replaced, relabelled or rolled back",
                            record_id=row.id,
                        )
                    )
                    continue
            try:
                data[row.id] = records.open_blob(
                    sub.records, self.store_id, row.id, row.kind, row.revision, row.blob
                )
            except IntegrityError as exc:
                problems.append(exc)
                continue
            rows[row.id] = row
        for missing in sorted(set(manifest) - set(snap.rows)):
            kind = manifest[missing][0]
            problems.append(
                IntegrityError(f"record {missing} ({kind}) was deleted", record_id=missing)
            )
        if problems and not ignore_damaged:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise IntegrityError(first.message + more, record_id=first.record_id)
        self.damaged = [p.record_id or "" for p in problems]
        self._rows, self._data, self._generation = rows, data, snap.generation

    def _refresh(self) -> None:
        """Reload if another process wrote since we last looked (cheap when nothing changed)."""
        conn = self._connection()
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        if row is not None and int(row[0]) != self._generation:
            self._load(_read_snapshot(conn), ignore_damaged=self._read_only)

    # -- public API ----------------------------------------------------------------------

    def put(self, kind: str, data: dict[str, Any], record_id: str | None = None) -> str:
        self._use()
        self._writable()
        if not kind or "\x00" in kind:
            raise UsageError("record kind must be a non-empty string")

        def change(rows: dict[str, _Row]) -> _Changes:
            rid = record_id or secrets.token_hex(16)
            old = rows.get(rid)
            if record_id is not None and old is None:
                raise NotFound(f"no record {record_id}")
            if old is not None and old.kind != kind:
                raise UsageError(f"record {rid} is a {old.kind}, not a {kind}")
            revision = old.revision + 1 if old else 1
            blob = records.seal(self._sub().records, self.store_id, rid, kind, revision, data)
            return [(rid, _Row(rid, kind, revision, blob))]

        rid = self._write(change)[0]
        self._data[rid] = json.loads(json.dumps(data))
        return rid

    def put_many(self, kind: str, items: _Items) -> _Ids:
        """Add several new records in one transaction (one fsync, one MAC update)."""
        self._use()
        self._writable()
        if not kind or "\x00" in kind:
            raise UsageError("record kind must be a non-empty string")
        key = self._sub().records

        def change(rows: dict[str, _Row]) -> _Changes:
            made: _Changes = []
            for data in items:
                rid = secrets.token_hex(16)
                blob = records.seal(key, self.store_id, rid, kind, 1, data)
                made.append((rid, _Row(rid, kind, 1, blob)))
            return made

        ids = self._write(change)
        for rid, data in zip(ids, items, strict=True):
            self._data[rid] = json.loads(json.dumps(data))
        return ids

    def get(self, record_id: str) -> Record:
        self._use()
        self._refresh()
        row = self._rows.get(record_id)
        if row is None:
            raise NotFound(f"no record {record_id}")
        return Record(row.id, row.kind, row.revision, _copy(self._data[row.id]))

    def list(self, kind: str | None = None) -> list[Record]:
        self._use()
        self._refresh()
        return [
            Record(r.id, r.kind, r.revision, _copy(self._data[r.id]))
            for r in sorted(self._rows.values(), key=lambda r: r.id)
            if kind is None or r.kind == kind
        ]

    def delete(self, record_id: str) -> None:
        self._use()
        self._writable()

        def change(rows: dict[str, _Row]) -> _Changes:
            if record_id not in rows:
                raise NotFound(f"no record {record_id}")
            return [(record_id, None)]

        self._write(change)
        self._data.pop(record_id, None)

    def change_passphrase(self, new_passphrase: str, kdf: keys.KdfParams | None = None) -> None:
        """Re-wrap the data key under a new passphrase; records are not touched."""
        self._use()
        self._writable()
        conn = self._connection()
        slot = _read_snapshot(conn).slots[PASSPHRASE_SLOT]
        params = kdf or keys.KdfParams.from_json(slot.params)
        salt = os.urandom(keys.SALT_BYTES)
        data_key = self._data_key
        if data_key is None:
            raise LockedError("the wallet is locked")
        wrapped = keys.wrap(
            keys.derive_passphrase_kek(new_passphrase, salt, params),
            data_key,
            _slot_aad(self.store_id, PASSPHRASE_SLOT),
        )
        new_slot = _Slot(PASSPHRASE_SLOT, "argon2id", params.to_json(), salt, wrapped)
        self._write(lambda rows: [], new_slot=new_slot)

    def snapshot(self, dest: Path) -> None:
        """A consistent copy of the (still encrypted) database via VACUUM INTO."""
        self._use()
        if Path(dest).exists():
            raise UsageError(f"{dest} already exists")
        try:
            self._connection().execute("VACUUM INTO ?", (str(dest),))
        except sqlite3.Error as exc:
            raise _storage_error(exc) from None

    def lock(self) -> None:
        """Drop every key and decrypted value from memory."""
        self._keys = None
        self._data_key = None
        self._data = {}
        self._rows = {}

    def close(self) -> None:
        self.lock()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def locked(self) -> bool:
        return self._keys is None

    # -- internals -----------------------------------------------------------------------

    def _use(self) -> None:
        if self._keys is None:
            raise LockedError("the wallet is locked")
        now = self._clock()
        if now - self._last_use > self.idle_timeout:
            minutes = self.idle_timeout / 60
            self.lock()
            raise LockedError(f"wallet locked after {minutes:g} minutes idle")
        self._last_use = now

    def _writable(self) -> None:
        if self._read_only:
            raise UsageError("the wallet was opened with --ignore-damaged: it is read-only")

    def _sub(self) -> keys.SubKeys:
        if self._keys is None:
            raise LockedError("the wallet is locked")
        return self._keys

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LockedError("the wallet is closed")
        return self._conn

    def _write(
        self,
        change: Callable[[dict[str, _Row]], _Changes],
        *,
        new_slot: _Slot | None = None,
    ) -> _Ids:
        """One BEGIN IMMEDIATE transaction: apply ``change``, re-seal the MAC, bump generation."""
        conn = self._connection()
        sub = self._sub()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _storage_error(exc) from None
        try:
            # Only the generation and the slots are read; all rows only when another
            # process wrote since we last looked.
            generation_now = int(
                conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
            )
            if generation_now != self._generation:
                self._load(_read_snapshot(conn), ignore_damaged=False)
            slots = _read_slots(conn)
            rows = dict(self._rows)
            changes = change(rows)
            if new_slot is not None:
                slots[new_slot.slot] = new_slot
                conn.execute(
                    "UPDATE key_slots SET kdf = ?, params = ?, salt = ?, wrapped = ?"
                    " WHERE slot = ?",
                    (new_slot.kdf, new_slot.params, new_slot.salt, new_slot.wrapped, new_slot.slot),
                )
            for rid, row in changes:
                if row is None:
                    rows.pop(rid)
                    conn.execute("DELETE FROM records WHERE id = ?", (rid,))
                else:
                    rows[rid] = row
                    conn.execute(
                        "INSERT INTO records (id, kind, revision, blob) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,"
                        " revision = excluded.revision, blob = excluded.blob",
                        (row.id, row.kind, row.revision, row.blob),
                    )
            generation = generation_now + 1
            manifest = json.dumps(_manifest(rows), sort_keys=True, separators=(",", ":")).encode()
            mac = _mac(sub.mac, self.store_id, generation, slots, manifest)
            conn.executemany(
                "UPDATE meta SET value = ? WHERE key = ?",
                [(str(generation).encode(), "generation"), (manifest, "manifest"), (mac, "mac")],
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            _rollback(conn)
            if isinstance(exc, sqlite3.Error):
                raise _storage_error(exc) from None
            raise
        self._rows, self._generation = rows, generation
        return [rid for rid, _ in changes]


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    with contextlib.suppress(sqlite3.Error):
        conn.execute("ROLLBACK")


def _read_slots(conn: sqlite3.Connection) -> dict[str, _Slot]:
    return {
        r[0]: _Slot(r[0], r[1], r[2], bytes(r[3]), bytes(r[4]))
        for r in conn.execute("SELECT slot, kdf, params, salt, wrapped FROM key_slots")
    }


def _read_snapshot(conn: sqlite3.Connection) -> _Snapshot:
    """Meta, key slots and rows read in one transaction, so they belong together."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        meta = {
            k: bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for k, v in conn.execute("SELECT key, value FROM meta")
        }
        slots = _read_slots(conn)
        rows = {
            r[0]: _Row(r[0], r[1], int(r[2]), bytes(r[3]))
            for r in conn.execute("SELECT id, kind, revision, blob FROM records")
        }
    finally:
        if own:
            conn.execute("COMMIT")
    return _Snapshot(meta, slots, rows)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    # Callers get their own copy: mutating it must never change the store's view.
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied
