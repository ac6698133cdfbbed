"""Backups in the age format (passphrase mode), so the standard ``age`` tool can open them.

The age file holds a ``VACUUM INTO`` snapshot of the still-encrypted store: restoring
needs both the backup passphrase and the wallet passphrase the snapshot was taken with.

Files are written to a locked temp file beside the target, fsynced, renamed into place and
the folder fsynced; a later run removes temp files whose writer died (no lock held). When
age refuses a file we read its header (C2SP age.md) to tell a wrong passphrase from damage.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyrage
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from wallet.errors import MalformedInput, StorageError, UsageError, WrongPassphrase
from wallet.store.store import DB_NAME, Store

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_BACKUP_BYTES = 2 * 1024 * 1024 * 1024
AGE_MAGIC = b"age-encryption.org/v1"
CHUNK, TAG, NONCE = 64 * 1024, 16, 16
MAX_WORK_FACTOR = 22  # checking a header costs one scrypt; 2**22 needs 4 GiB
WALLET_TABLES = {"meta", "key_slots", "records"}


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
    plain = _decrypt(data, backup_passphrase, src)
    if not plain.startswith(SQLITE_MAGIC):
        raise MalformedInput(f"{src} is not a wallet backup (no database inside)")
    created = not wallet_path.exists()
    try:
        wallet_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_durably(wallet_path / DB_NAME, plain, check=lambda db: _check_wallet(db, src))
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


def _check_wallet(db: Path, src: Path) -> None:
    """Accept only a wallet's database; immutable=1 writes no -wal/-shm beside it."""
    ok = False
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(db.absolute().as_uri() + "?mode=ro&immutable=1", uri=True)
        try:
            tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ok = (
                conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                and {row[0] for row in tables} >= WALLET_TABLES
                and conn.execute("SELECT 1 FROM meta WHERE key = 'store_id'").fetchone() is not None
            )
        finally:
            conn.close()
    if not ok:
        raise MalformedInput(f"{src} is not a wallet backup (no wallet tables inside)")


# -- age -------------------------------------------------------------------------------


def _decrypt(data: bytes, passphrase: str, src: Path) -> bytes:
    # A cut-short magic line, or a hit one above a stanza, is a damaged backup, not junk.
    age_like = AGE_MAGIC.startswith(data) or data.startswith(AGE_MAGIC) or b"\n-> " in data[:64]
    if not age_like:
        raise MalformedInput(f"{src} is not an age-encrypted wallet backup")
    try:
        return bytes(pyrage.passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError:
        pass
    # age says the same for a wrong passphrase and for damage; the header MAC tells them apart.
    salt, log_n, wrapped, header, mac, payload = _parse(data, src)
    if log_n > MAX_WORK_FACTOR:
        raise _damaged(src, f"or foreign: scrypt work factor {log_n} is over {MAX_WORK_FACTOR}")
    scrypt = Scrypt(salt=b"age-encryption.org/v1/scrypt" + salt, length=32, n=1 << log_n, r=8, p=1)
    try:
        kek = scrypt.derive(passphrase.encode())
        file_key = ChaCha20Poly1305(kek).decrypt(bytes(12), wrapped, None)
    except (InvalidTag, MemoryError):
        # A hit salt or wrapped key fails here too and cannot be told from a wrong passphrase.
        raise WrongPassphrase("wrong backup passphrase, or its key header is damaged") from None
    header_key = _hkdf(file_key, b"", b"header")
    if not hmac.compare_digest(hmac.new(header_key, header, hashlib.sha256).digest(), mac):
        raise _damaged(src, "its header fails its MAC")
    # The header is genuine; decrypt the STREAM chunks to prove which part is damaged.
    aead = ChaCha20Poly1305(_hkdf(file_key, payload[:NONCE], b"payload"))
    body, step = payload[NONCE:], CHUNK + TAG
    count = max(1, -(-len(body) // step))
    plain = []
    try:
        for i in range(count):
            nonce = i.to_bytes(11, "big") + (b"\x01" if i == count - 1 else b"\x00")
            plain.append(aead.decrypt(nonce, body[i * step : (i + 1) * step], None))
    except InvalidTag:
        raise _damaged(src, "its content fails its check") from None
    return b"".join(plain)  # authentic, though age refused it (e.g. its work-factor limit)


def _parse(data: bytes, src: Path) -> tuple[bytes, int, bytes, bytes, bytes, bytes]:
    """(salt, log2 N, wrapped file key, MACed header, MAC, payload) of a scrypt age file."""
    end = data.find(b"\n--- ", 0, 4096)
    eol = data.find(b"\n", end + 1, end + 64) if end >= 0 else -1
    if eol < 0:
        raise _damaged(src, "its header is cut short or broken")
    try:
        lines = data[:end].decode("ascii").split("\n")
        mac_text = data[end + 5 : eol].decode("ascii")
    except UnicodeDecodeError:
        raise _damaged(src, "its header is not text") from None
    if len(lines) > 1 and lines[1].split(" ")[:2][-1] in {"X25519", "ssh-ed25519", "ssh-rsa"}:
        raise MalformedInput(f"{src} is age-encrypted to a key: not a passphrase backup")
    # A passphrase file has exactly one stanza, "-> scrypt SALT LOG2N", with a 43-char body.
    args = lines[1].split(" ") if len(lines) == 3 and lines[0] == AGE_MAGIC.decode() else []
    if len(args) != 4 or args[:2] != ["->", "scrypt"] or not re.fullmatch(r"[1-9]\d?", args[3]):
        raise _damaged(src, "its scrypt stanza is broken")
    salt, wrapped, mac = _b64(args[2], 16), _b64(lines[2], 32), _b64(mac_text, 32)
    if salt is None or wrapped is None or mac is None:
        raise _damaged(src, "its header encoding is broken")
    payload = data[eol + 1 :]
    rest = len(payload) - NONCE
    last = rest % (CHUNK + TAG)
    # Each chunk ends in a 16-byte tag; only an empty plaintext ends in an empty chunk.
    if rest < TAG or 0 < last < TAG or (last == TAG and rest > TAG):
        raise _damaged(src, "it is cut short")
    return salt, int(args[3]), wrapped, data[: end + 4], mac, payload


def _damaged(src: Path, why: str) -> MalformedInput:
    return MalformedInput(f"{src}: the backup is damaged ({why})")


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def _b64(text: str, size: int) -> bytes | None:
    """age's base64: unpadded, canonical, of an exact size."""
    if not re.fullmatch(r"[A-Za-z0-9+/]+", text):
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return None
    canonical = base64.b64encode(raw).decode().rstrip("=") == text
    return raw if canonical and len(raw) == size else None
