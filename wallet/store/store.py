"""The encrypted record store (ARCHITECTURE.md section 3).

Everything is decrypted and verified once at unlock and served from memory; every write is
one ``BEGIN IMMEDIATE`` transaction that updates the manifest buckets it touches, re-seals
the store MAC and bumps the generation counter, so a second process that wrote in between
is noticed and reloaded.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlite_utils import Database

from wallet.errors import (
    IntegrityError,
    LockedError,
    NotFound,
    RollbackDetected,
    UsageError,
    WalletError,
)
from wallet.store import keys, migrations, records, seen
from wallet.store.index import FieldIndex
from wallet.store.loader import verify_snapshot
from wallet.store.manifest import MAC_VERSION, Manifest, store_mac
from wallet.store.rows import (
    PASSPHRASE_SLOT,
    RECOVERY_SLOT,
    Changes,
    Ids,
    Items,
    Record,
    Row,
    Slot,
    Snapshot,
    copy_data,
    entry_of,
    generation_now,
    passphrase_slot,
    read_slots,
    read_snapshot,
    recovery_public,
    rollback,
    sealed_recovery_slot,
    slot_aad,
    slot_tuples,
    storage_error,
)

DB_NAME = "wallet.db"
BUSY_TIMEOUT_MS = 10_000


_T = TypeVar("_T")
_P = ParamSpec("_P")


def _serialized(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """One caller at a time: the app reads the list while a worker imports."""

    @functools.wraps(method)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        store = args[0]
        assert isinstance(store, Store)
        with store._mutex:
            return method(*args, **kwargs)

    return locked


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
        self._rows: dict[str, Row] = {}
        self._data: dict[str, dict[str, Any]] = {}
        self._generation = 0
        # None until verified, and for a store still in the legacy one-blob form.
        self._manifest: Manifest | None = Manifest.empty()
        self._index = FieldIndex()
        self._mutex = threading.RLock()

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / DB_NAME).exists()

    @classmethod
    def accept_as_current(cls, path: Path) -> None:
        """Take the wallet at ``path`` as this machine's baseline for rollback detection
        (after a deliberate restore). Reads only plaintext meta; no key needed."""
        conn = cls._connect(Path(path))
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            generation = generation_now(conn)
        except sqlite3.Error as exc:
            raise IntegrityError(f"the wallet database cannot be read: {exc}") from None
        finally:
            conn.close()
        if row is not None:
            store_id = row[0].decode() if isinstance(row[0], bytes) else str(row[0])
            seen.remember(store_id, generation, force=True)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        # The app unlocks and imports in worker threads; every use goes through the
        # store's lock, so one connection may serve them all.
        conn = sqlite3.connect(
            path / DB_NAME,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
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
        slots = {
            PASSPHRASE_SLOT: passphrase_slot(store_id, passphrase, params, data_key),
            RECOVERY_SLOT: sealed_recovery_slot(store_id, data_key, recovery_key=recovery_key)[0],
        }
        conn = cls._connect(path)
        try:
            os.chmod(path / DB_NAME, 0o600)
            migrations.apply(Database(conn))
            sub = keys.SubKeys.from_data_key(data_key)
            root = Manifest.empty().root()
            conn.execute("BEGIN IMMEDIATE")
            for s in slots.values():
                conn.execute(
                    "INSERT INTO key_slots VALUES (?, ?, ?, ?, ?)",
                    (s.slot, s.kdf, s.params, s.salt, s.wrapped),
                )
            meta = {
                "store_id": store_id.encode(),
                "generation": b"1",
                "mac_version": MAC_VERSION,
                "mac": store_mac(sub.mac, store_id, 1, slot_tuples(slots), root),
            }
            conn.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.close()
            raise storage_error(exc) from None
        store = cls(path, conn, store_id, data_key, idle_timeout=300.0, read_only=False)
        store._generation = 1
        seen.remember(store_id, 1, force=True)
        return store, recovery_key

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str,
        *,
        ignore_damaged: bool = False,
        idle_timeout: float = 300.0,
        accept_rollback: bool = False,
    ) -> Store:
        def unlock(store_id: str, slots: dict[str, Slot]) -> bytes:
            slot = slots.get(PASSPHRASE_SLOT)
            if slot is None or slot.kdf != "argon2id":
                raise IntegrityError("the passphrase key slot is missing", record_id="key-slot")
            params = keys.KdfParams.from_json(slot.params)  # bounds checked before allocating
            kek = keys.derive_passphrase_kek(passphrase, slot.salt, params)
            return keys.unwrap(kek, slot.wrapped, slot_aad(store_id, PASSPHRASE_SLOT))

        return cls._open(
            Path(path),
            unlock,
            ignore_damaged=ignore_damaged,
            idle_timeout=idle_timeout,
            accept_rollback=accept_rollback,
        )

    @classmethod
    def open_with_recovery_key(
        cls, path: Path, recovery_key: str, *, ignore_damaged: bool = False
    ) -> Store:
        def unlock(store_id: str, slots: dict[str, Slot]) -> bytes:
            slot = slots.get(RECOVERY_SLOT)
            if slot is None:
                raise IntegrityError("the recovery key slot is missing", record_id="key-slot")
            aad = slot_aad(store_id, RECOVERY_SLOT)
            if slot.kdf == keys.RECOVERY_SEALED:
                public = recovery_public(slot)
                return keys.open_recovery_seal(recovery_key, slot.salt, public, slot.wrapped, aad)
            # Wallets made before sealed recovery slots: the key wraps the data key directly.
            kek = keys.derive_recovery_kek(recovery_key, slot.salt)
            return keys.unwrap(kek, slot.wrapped, aad, message="wrong recovery key")

        return cls._open(Path(path), unlock, ignore_damaged=ignore_damaged, idle_timeout=300.0)

    @classmethod
    def _open(
        cls,
        path: Path,
        unlock: Callable[[str, dict[str, Slot]], bytes],
        *,
        ignore_damaged: bool,
        idle_timeout: float,
        accept_rollback: bool = False,
    ) -> Store:
        if not cls.exists(path):
            raise NotFound(f"no wallet at {path}")
        try:
            conn = cls._connect(path)
            migrations.apply(Database(conn))
            snap = read_snapshot(conn)
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
            store._check_rollback(accept_rollback)
        except WalletError:
            store.close()
            raise
        return store

    def _check_rollback(self, accept: bool) -> None:
        if self._read_only:
            return  # a rescue opening reads what is there and remembers nothing
        last = seen.last_seen(self.store_id)
        if last is not None and self._generation < last and not accept:
            # Another process may have written (and remembered) since our snapshot.
            if generation_now(self._connection()) >= last:
                self._refresh()
                return
            raise RollbackDetected(
                f"this wallet is older than when it was last opened here (change {self._generation}"
                f", last seen {last}): an older copy of the file may have replaced it and undone"
                " later changes; if you restored it on purpose, open it once with"
                " --accept-rollback",
                record_id="meta",
            )
        seen.remember(self.store_id, self._generation, force=accept)

    # -- integrity -----------------------------------------------------------------------

    def _load(self, snap: Snapshot, *, ignore_damaged: bool) -> None:
        """Verify the whole snapshot (store MAC, manifest, each record) and keep it in memory."""
        loaded = verify_snapshot(snap, self._sub(), self.store_id)
        if loaded.problems and not ignore_damaged:
            first = loaded.problems[0]
            more = f" (and {len(loaded.problems) - 1} more)" if len(loaded.problems) > 1 else ""
            raise IntegrityError(first.message + more, record_id=first.record_id)
        self.damaged = [p.record_id or "" for p in loaded.problems]
        self._rows, self._data, self._generation = loaded.rows, loaded.data, snap.generation
        self._manifest = loaded.manifest
        self._index.reset()

    def _refresh(self) -> None:
        """Reload if another process wrote since we last looked (cheap when nothing changed)."""
        conn = self._connection()
        if generation_now(conn) != self._generation:
            self._load(read_snapshot(conn), ignore_damaged=self._read_only)

    # -- public API ----------------------------------------------------------------------

    @_serialized
    def put(self, kind: str, data: dict[str, Any], record_id: str | None = None) -> str:
        self._use()
        self._writable()
        if not kind or "\x00" in kind:
            raise UsageError("record kind must be a non-empty string")

        def change(rows: dict[str, Row]) -> Changes:
            rid = record_id or secrets.token_hex(16)
            old = rows.get(rid)
            if record_id is not None and old is None:
                raise NotFound(f"no record {record_id}")
            if old is not None and old.kind != kind:
                raise UsageError(f"record {rid} is a {old.kind}, not a {kind}")
            revision = old.revision + 1 if old else 1
            blob = records.seal(self._sub().records, self.store_id, rid, kind, revision, data)
            return [(rid, Row(rid, kind, revision, blob))]

        rid = self._write(change)[0]
        self._data[rid] = json.loads(json.dumps(data))
        self._index.add(rid, kind, self._data[rid])
        return rid

    @_serialized
    def put_many(self, kind: str, items: Items) -> Ids:
        """Add several new records in one transaction (one fsync, one MAC update)."""
        self._use()
        self._writable()
        if not kind or "\x00" in kind:
            raise UsageError("record kind must be a non-empty string")
        key = self._sub().records

        def change(rows: dict[str, Row]) -> Changes:
            made: Changes = []
            for data in items:
                rid = secrets.token_hex(16)
                blob = records.seal(key, self.store_id, rid, kind, 1, data)
                made.append((rid, Row(rid, kind, 1, blob)))
            return made

        ids = self._write(change)
        for rid, data in zip(ids, items, strict=True):
            self._data[rid] = json.loads(json.dumps(data))
            self._index.add(rid, kind, self._data[rid])
        return ids

    @_serialized
    def get(self, record_id: str) -> Record:
        self._use()
        self._refresh()
        row = self._rows.get(record_id)
        if row is None:
            raise NotFound(f"no record {record_id}")
        return Record(row.id, row.kind, row.revision, copy_data(self._data[row.id]))

    @_serialized
    def find(self, kind: str, field: str, value: str) -> Record | None:
        """The record of ``kind`` whose ``field`` equals ``value``, through an index kept in
        memory (built on first use, kept current by every write): no scan per call."""
        self._use()
        self._refresh()
        hit = self._index.lookup(
            kind,
            field,
            value,
            lambda: ((rid, row.kind, self._data[rid]) for rid, row in self._rows.items()),
        )
        return None if hit is None else self.get(hit)

    @property
    @_serialized
    def generation(self) -> int:
        """The change counter, current with other processes' writes."""
        self._use()
        self._refresh()
        return self._generation

    @_serialized
    def each(self, kind: str) -> builtins.list[tuple[str, int, Mapping[str, Any]]]:
        """(id, revision, data) of every record of ``kind``, without copying: the data is the
        store's own and must not be changed. For building views once per revision."""
        self._use()
        self._refresh()
        return [
            (rid, row.revision, self._data[rid])
            for rid, row in self._rows.items()
            if row.kind == kind
        ]

    @_serialized
    def list(self, kind: str | None = None) -> list[Record]:
        self._use()
        self._refresh()
        chosen = [r for r in self._rows.values() if kind is None or r.kind == kind]
        return [
            Record(r.id, r.kind, r.revision, copy_data(self._data[r.id]))
            for r in sorted(chosen, key=lambda r: r.id)
        ]

    @_serialized
    def delete(self, record_id: str) -> None:
        self._use()
        self._writable()

        def change(rows: dict[str, Row]) -> Changes:
            if record_id not in rows:
                raise NotFound(f"no record {record_id}")
            return [(record_id, None)]

        self._write(change)
        self._data.pop(record_id, None)

    @_serialized
    def change_passphrase(
        self,
        new_passphrase: str,
        kdf: keys.KdfParams | None = None,
        *,
        recovery_key: str | None = None,
    ) -> str | None:
        """Re-key: a new data key, every record re-encrypted under it, the passphrase slot
        and the recovery slot rewritten, all in one transaction. An old copy of the file and
        the old passphrase then open nothing written since. The recovery key keeps working
        (its slot is sealed to its public key); a wallet whose recovery slot predates that
        gets a new recovery key, which is returned, unless ``recovery_key`` is given."""
        self._use()
        self._writable()
        slots = read_slots(self._connection())
        params = kdf or keys.KdfParams.from_json(slots[PASSPHRASE_SLOT].params)
        data_key = secrets.token_bytes(keys.KEY_BYTES)
        recovery, new_recovery = sealed_recovery_slot(
            self.store_id, data_key, old=slots.get(RECOVERY_SLOT), recovery_key=recovery_key
        )
        new_slots = {
            PASSPHRASE_SLOT: passphrase_slot(self.store_id, new_passphrase, params, data_key),
            RECOVERY_SLOT: recovery,
        }
        records_key = keys.SubKeys.from_data_key(data_key).records

        def reseal(rows: dict[str, Row]) -> Changes:
            return [
                (
                    rid,
                    Row(
                        rid,
                        row.kind,
                        row.revision,
                        records.seal(
                            records_key,
                            self.store_id,
                            rid,
                            row.kind,
                            row.revision,
                            self._data[rid],
                        ),
                    ),
                )
                for rid, row in sorted(rows.items())
            ]

        self._write(reseal, new_slots=new_slots, new_data_key=data_key)
        return new_recovery

    @_serialized
    def snapshot(self, dest: Path) -> None:
        """A consistent copy of the (still encrypted) database via VACUUM INTO."""
        self._use()
        if Path(dest).exists():
            raise UsageError(f"{dest} already exists")
        try:
            self._connection().execute("VACUUM INTO ?", (str(dest),))
        except sqlite3.Error as exc:
            raise storage_error(exc) from None

    @_serialized
    def lock(self) -> None:
        """Drop every key and decrypted value from memory."""
        self._keys = None
        self._data_key = None
        self._data = {}
        self._rows = {}

    @_serialized
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
        change: Callable[[dict[str, Row]], Changes],
        *,
        new_slots: dict[str, Slot] | None = None,
        new_data_key: bytes | None = None,
    ) -> Ids:
        """One BEGIN IMMEDIATE transaction: apply ``change``, update the manifest buckets it
        touches, re-seal the MAC, bump the generation. The cost does not grow with the store."""
        conn = self._connection()
        sub = self._sub() if new_data_key is None else keys.SubKeys.from_data_key(new_data_key)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(exc) from None
        try:
            # Only the generation and the slots are read; all rows only when another
            # process wrote since we last looked.
            current = generation_now(conn)
            if current != self._generation:
                self._load(read_snapshot(conn), ignore_damaged=False)
            slots = read_slots(conn)
            changes = change(self._rows)
            for slot in (new_slots or {}).values():
                slots[slot.slot] = slot
                conn.execute(
                    "INSERT INTO key_slots (slot, kdf, params, salt, wrapped)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(slot) DO UPDATE SET kdf = excluded.kdf, params = excluded.params,"
                    " salt = excluded.salt, wrapped = excluded.wrapped",
                    (slot.slot, slot.kdf, slot.params, slot.salt, slot.wrapped),
                )
            for rid, row in changes:
                if row is None:
                    conn.execute("DELETE FROM records WHERE id = ?", (rid,))
                else:
                    conn.execute(
                        "INSERT INTO records (id, kind, revision, blob) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,"
                        " revision = excluded.revision, blob = excluded.blob",
                        (row.id, row.kind, row.revision, row.blob),
                    )
            manifest, touched = self._next_manifest(changes)
            for number in sorted(touched):
                conn.execute(
                    "INSERT INTO manifest (bucket, entries) VALUES (?, ?)"
                    " ON CONFLICT(bucket) DO UPDATE SET entries = excluded.entries",
                    (number, manifest.encoded[number]),
                )
            generation = current + 1
            mac = store_mac(sub.mac, self.store_id, generation, slot_tuples(slots), manifest.root())
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [
                    ("generation", str(generation).encode()),
                    ("mac_version", MAC_VERSION),
                    ("mac", mac),
                ],
            )
            conn.execute("DELETE FROM meta WHERE key = 'manifest'")
            conn.execute("COMMIT")
        except BaseException as exc:
            rollback(conn)
            if isinstance(exc, sqlite3.Error):
                raise storage_error(exc) from None
            raise
        for rid, row in changes:
            self._index.remove(rid, self._data.get(rid, {}))
            if row is None:
                self._rows.pop(rid, None)
            else:
                self._rows[rid] = row
        self._manifest, self._generation = manifest, generation
        if new_data_key is not None:
            self._keys, self._data_key = sub, new_data_key
        seen.remember(self.store_id, generation)
        return [rid for rid, _ in changes]

    def _next_manifest(self, changes: Changes) -> tuple[Manifest, set[int]]:
        if self._manifest is None:
            # The first write to a legacy store writes every bucket.
            rows = {**self._rows}
            for rid, row in changes:
                if row is None:
                    rows.pop(rid, None)
                else:
                    rows[rid] = row
            full = Manifest.from_entries({rid: entry_of(r) for rid, r in rows.items()})
            return full, set(range(len(full.encoded)))
        return self._manifest.apply(
            (rid, None if row is None else entry_of(row)) for rid, row in changes
        )
