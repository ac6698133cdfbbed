from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from wallet.store import KdfParams, Store

PASSPHRASE = "correct horse battery staple"
FAST = KdfParams.for_tests()

MakeStore = Callable[..., tuple[Store, str]]


@pytest.fixture
def make_store(tmp_path: Path) -> MakeStore:
    def make(name: str = "w", passphrase: str = PASSPHRASE) -> tuple[Store, str]:
        return Store.create(tmp_path / name, passphrase, kdf=FAST, allow_weak=True)

    return make


def raw_db(path: Path) -> sqlite3.Connection:
    """A plain connection, as an attacker with the file would have."""
    return sqlite3.connect(path / "wallet.db", isolation_level=None)
