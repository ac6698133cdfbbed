"""Backups in the age format (passphrase mode), so the standard ``age`` tool can open them.

The age file holds a ``VACUUM INTO`` snapshot of the still-encrypted store: restoring
needs both the backup passphrase and the wallet passphrase the snapshot was taken with.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyrage

from wallet.errors import MalformedInput, StorageError, UsageError, WrongPassphrase
from wallet.store.store import DB_NAME, Store

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_BACKUP_BYTES = 2 * 1024 * 1024 * 1024


def backup(store: Store, dest: Path, backup_passphrase: str) -> None:
    dest = Path(dest)
    if dest.exists():
        raise UsageError(f"{dest} already exists")
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "snapshot.db"
        store.snapshot(snapshot)
        encrypted = pyrage.passphrase.encrypt(snapshot.read_bytes(), backup_passphrase)
    _write_durably(dest, encrypted)


def restore(src: Path, wallet_path: Path, backup_passphrase: str) -> None:
    wallet_path = Path(wallet_path)
    if wallet_path.exists() and (not wallet_path.is_dir() or any(wallet_path.iterdir())):
        raise UsageError(f"{wallet_path} is not empty; restore only into an empty folder")
    data = Path(src).read_bytes()
    if len(data) > MAX_BACKUP_BYTES:
        raise MalformedInput(f"{src} is too large to be a wallet backup")
    if not data.startswith(b"age-encryption.org/v1"):
        raise MalformedInput(f"{src} is not an age-encrypted wallet backup")
    try:
        plain = pyrage.passphrase.decrypt(data, backup_passphrase)
    except pyrage.DecryptError:
        raise WrongPassphrase("wrong backup passphrase") from None
    if not plain.startswith(SQLITE_MAGIC):
        raise MalformedInput(f"{src} does not hold a wallet database")
    wallet_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_durably(wallet_path / DB_NAME, plain)
    if not Store.exists(wallet_path):
        raise StorageError(f"could not write {wallet_path / DB_NAME}")


def _write_durably(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"could not write {dest}: {exc.strerror}") from None
