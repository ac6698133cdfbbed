"""Backups in the age format (passphrase mode), so the standard ``age`` tool can open them.

The age file holds a ``VACUUM INTO`` snapshot of the still-encrypted store: restoring
needs both the backup passphrase and the wallet passphrase the snapshot was taken with.

Files are written to a locked temp file beside the target, fsynced, renamed into place and
the folder fsynced; a later run removes temp files whose writer died (no lock held).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyrage

from wallet.errors import MalformedInput, StorageError, UsageError, WrongPassphrase
from wallet.store.store import DB_NAME, Store

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_BACKUP_BYTES = 2 * 1024 * 1024 * 1024
AGE_MAGIC = b"age-encryption.org/v1"


def backup(store: Store, dest: Path, backup_passphrase: str) -> None:
    dest = Path(dest)
    _sweep(
        dest.parent, dest.name, legacy_is_ours=lambda p: AGE_MAGIC.startswith(p.read_bytes()[:21])
    )
    if dest.exists():
        raise UsageError(f"{dest} already exists")
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "snapshot.db"
        store.snapshot(snapshot)
        encrypted = pyrage.passphrase.encrypt(snapshot.read_bytes(), backup_passphrase)
    _write_durably(dest, encrypted)


def restore(src: Path, wallet_path: Path, backup_passphrase: str) -> None:
    wallet_path = Path(wallet_path)
    if wallet_path.exists():
        heal_interrupted_restore(wallet_path)
        if not wallet_path.is_dir() or any(wallet_path.iterdir()):
            raise UsageError(f"{wallet_path} is not empty; restore only into an empty folder")
    with Path(src).open("rb") as handle:
        data = handle.read(MAX_BACKUP_BYTES + 1)
    if len(data) > MAX_BACKUP_BYTES:
        raise MalformedInput(f"{src} is too large to be a wallet backup")
    if not data.startswith(AGE_MAGIC):
        raise MalformedInput(f"{src} is not an age-encrypted wallet backup")
    try:
        plain = pyrage.passphrase.decrypt(data, backup_passphrase)
    except pyrage.DecryptError:
        raise WrongPassphrase("wrong backup passphrase") from None
    if not plain.startswith(SQLITE_MAGIC):
        raise MalformedInput(f"{src} does not hold a wallet database")
    created = not wallet_path.exists()
    try:
        wallet_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_durably(wallet_path / DB_NAME, plain)
        if created:
            _fsync_dir(wallet_path.parent)
    except BaseException as exc:
        if created:  # leave no empty folder behind a refused backup
            with contextlib.suppress(OSError):
                wallet_path.rmdir()
        if isinstance(exc, OSError):
            raise StorageError(f"could not restore into {wallet_path}: {exc.strerror}") from None
        raise


def heal_interrupted_restore(wallet_path: Path) -> bool:
    """Remove what a killed restore left in ``wallet_path``; True if something went.

    Does nothing where a wallet.db exists, so a real wallet and its -wal/-shm are safe.
    """
    wallet_path = Path(wallet_path)
    if not wallet_path.is_dir() or os.path.lexists(wallet_path / DB_NAME):
        return False
    return _sweep(wallet_path, DB_NAME, legacy_is_ours=lambda _: True)


# -- durable files ---------------------------------------------------------------------


def _try_lock(fd: int) -> bool:
    """flock is dropped by the kernel when its holder dies, even by SIGKILL."""
    if sys.platform == "win32":
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _write_durably(dest: Path, data: bytes, check: Callable[[Path], None] | None = None) -> None:
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(8)}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            _try_lock(out.fileno())  # held until closed, so a sweep leaves it alone
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            if check is not None:
                check(tmp)
            if os.path.lexists(dest):
                raise UsageError(f"{dest} already exists")
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StorageError(f"could not write {dest}: {exc.strerror or exc}") from None
        raise


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; POSIX only, and some file systems refuse it (EINVAL)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def _sweep(folder: Path, name: str, *, legacy_is_ours: Callable[[Path], bool]) -> bool:
    """Delete temp files for ``name`` whose writer died; a live writer holds its lock."""
    ours = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp")
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    removed = False
    for path in entries:
        with contextlib.suppress(OSError):
            # FILE.tmp is what earlier versions left behind; they took no lock.
            if ours.fullmatch(path.name) or (path.name == f"{name}.tmp" and legacy_is_ours(path)):
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    if _try_lock(fd):
                        path.unlink()
                        removed = True
                finally:
                    os.close(fd)
    return removed
