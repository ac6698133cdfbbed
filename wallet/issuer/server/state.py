"""The issuer's mutable state: one JSON file in its state folder.

Offers, access tokens, c_nonces and the register of issued credentials live in
``state.json``. Every change is a read-modify-write under an exclusive file lock and lands
with an atomic rename, so ``python -m wallet.issuer revoke`` in another process and the
running server never lose each other's writes, and a reader never sees half a file. The
server reads the file on each request: a revocation takes effect at once.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wallet.errors import NotFound, UsageError

STATE_FILE = "state.json"
VERSION = 1
BITSTRING = "bitstring"
TOKEN = "token"
OB2 = "ob2"
# Bitstring Status List: at least 16 KiB (131,072 entries) for herd privacy.
BITSTRING_SIZE = 131_072
TOKEN_LIST_SIZE = 8_192
# The OB 2.0 assertion every fresh state starts with, at /ob2/assertions/sample.
SAMPLE_OB2 = "sample"
SAMPLE_RECIPIENT = "alex.learner@example.com"

_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Issued:
    """One issued credential, as the register keeps it."""

    id: str
    kind: str  # "ldp_vc" | "jwt_vc_json" | "dc+sd-jwt" | "ob2"
    media_type: str
    status_list: str  # "bitstring" | "token" | "ob2"
    status_index: int
    issued_at: int
    subject: str | None = None
    config_id: str | None = None
    revoked: bool = False

    @property
    def path(self) -> str:
        """Where the server serves it."""
        return f"/ob2/assertions/{self.id}" if self.kind == OB2 else f"/credentials/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issued:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def fresh_state(now: int | None = None) -> dict[str, Any]:
    issued_at = int(time.time()) if now is None else now
    sample = Issued(SAMPLE_OB2, OB2, "application/json", OB2, 0, issued_at, SAMPLE_RECIPIENT)
    return {
        "version": VERSION,
        "offers": {},
        "tokens": {},
        "nonces": {},
        "issued": {SAMPLE_OB2: sample.to_dict()},
    }


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with _THREAD_LOCK, open(path, "a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class StateStore:
    """The state folder's JSON state and the bytes of issued credentials."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir
        self.path = state_dir / STATE_FILE
        self.credentials_dir = state_dir / "credentials"

    def _load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except ValueError:
            raise UsageError(f"the issuer state {self.path} is not JSON; delete it") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise UsageError(f"the issuer state {self.path} is not a version {VERSION} state")
        return data

    def read(self) -> dict[str, Any]:
        data = self._load()
        if data is None:
            # Written once, so the sample assertion keeps one issuedOn (its hosted copy
            # must read the same on every fetch).
            with self.update() as state:
                data = copy.deepcopy(state)
        return data

    @contextlib.contextmanager
    def update(self) -> Iterator[dict[str, Any]]:
        """The state to change in place; written back atomically unless the block raises."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.dir / "state.lock"):
            state = self._load() or fresh_state()
            _prune(state, int(time.time()))
            yield state
            write_atomic(self.path, json.dumps(state, indent=1, sort_keys=True).encode())

    def reset(self) -> None:
        """Forget offers, tokens, nonces and issued credentials; keys and TLS stay."""
        with self.update() as state:
            state.clear()
            state.update(fresh_state())
            if self.credentials_dir.is_dir():
                for child in self.credentials_dir.iterdir():
                    child.unlink()

    # -- issued credentials ---------------------------------------------------------------

    def issued(self) -> list[Issued]:
        records = self.read()["issued"].values()
        return sorted((Issued.from_dict(r) for r in records), key=lambda r: (r.issued_at, r.id))

    def get(self, credential_id: str) -> Issued:
        record = self.read()["issued"].get(credential_id)
        if record is None:
            raise NotFound(f"no issued credential {credential_id!r}")
        return Issued.from_dict(record)

    def find(self, prefix: str) -> Issued:
        """The credential whose id is ``prefix`` or starts with it (unique)."""
        records = self.read()["issued"]
        if prefix in records:
            return Issued.from_dict(records[prefix])
        found = [r for key, r in records.items() if prefix and key.startswith(prefix)]
        if not found:
            raise NotFound(f"no issued credential {prefix!r}")
        if len(found) > 1:
            raise UsageError(f"{prefix!r} matches {len(found)} credentials; give more of the id")
        return Issued.from_dict(found[0])

    def credential_bytes(self, credential_id: str) -> bytes:
        try:
            return (self.credentials_dir / credential_id).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no issued credential {credential_id!r}") from None

    def allocate(self, state: dict[str, Any], status_list: str) -> int:
        """A free random index in ``status_list`` (random, so an index says nothing of order)."""
        size = BITSTRING_SIZE if status_list == BITSTRING else TOKEN_LIST_SIZE
        used = {
            r["status_index"] for r in state["issued"].values() if r["status_list"] == status_list
        }
        if len(used) >= size:
            raise UsageError(f"the {status_list} status list is full")
        while True:
            index = secrets.randbelow(size)
            if index not in used:
                return index

    def record(self, state: dict[str, Any], issued: Issued, data: bytes | None) -> None:
        """Add ``issued`` to the register (inside an update) and keep its bytes."""
        if data is not None:
            write_atomic(self.credentials_dir / issued.id, data)
        state["issued"][issued.id] = issued.to_dict()

    def revoke(self, prefix: str) -> Issued:
        target = self.find(prefix)
        with self.update() as state:
            state["issued"][target.id]["revoked"] = True
        return Issued.from_dict({**target.to_dict(), "revoked": True})

    def revoked_indices(self, status_list: str) -> set[int]:
        return {
            r["status_index"]
            for r in self.read()["issued"].values()
            if r["status_list"] == status_list and r.get("revoked")
        }


def _prune(state: dict[str, Any], now: int) -> None:
    """Drop expired nonces, tokens and offers so the file does not grow without end."""
    state["nonces"] = {n: exp for n, exp in state["nonces"].items() if exp > now}
    state["tokens"] = {t: v for t, v in state["tokens"].items() if v["expires"] > now}
    state["offers"] = {o: v for o, v in state["offers"].items() if v["expires"] > now}
