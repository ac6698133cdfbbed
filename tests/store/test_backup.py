from __future__ import annotations

from pathlib import Path

import pyrage
import pytest

from tests.store.conftest import PASSPHRASE, MakeStore
from wallet.errors import MalformedInput, UsageError, WrongPassphrase
from wallet.store import Store
from wallet.store.backup import backup, restore


def test_backup_round_trip_is_age_and_needs_both_passphrases(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store, _ = make_store()
    rid = store.put("credential", {"title": "Welding Level 2"})
    dest = tmp_path / "backup.age"
    backup(store, dest, "backup secret")
    data = dest.read_bytes()
    assert data.startswith(b"age-encryption.org/v1")
    # The standard age format: any age implementation opens it with the passphrase...
    inner = pyrage.passphrase.decrypt(data, "backup secret")
    assert inner.startswith(b"SQLite format 3\x00")
    # ...and inside is still the encrypted store.
    assert b"Welding" not in inner
    restore(dest, tmp_path / "restored", "backup secret")
    again = Store.open(tmp_path / "restored", PASSPHRASE)
    assert again.get(rid).data == {"title": "Welding Level 2"}


def test_restore_refuses_a_non_empty_target(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    backup(store, tmp_path / "b.age", "s")
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        restore(tmp_path / "b.age", target, "s")
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_wrong_backup_passphrase_and_garbage(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    backup(store, tmp_path / "b.age", "right")
    with pytest.raises(WrongPassphrase, match="wrong backup passphrase"):
        restore(tmp_path / "b.age", tmp_path / "r1", "wrong")
    assert not (tmp_path / "r1").exists()
    (tmp_path / "junk.age").write_bytes(b"not a backup")
    with pytest.raises(MalformedInput):
        restore(tmp_path / "junk.age", tmp_path / "r2", "right")


def test_backup_never_overwrites(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    (tmp_path / "b.age").write_bytes(b"precious")
    with pytest.raises(UsageError):
        backup(store, tmp_path / "b.age", "s")
    assert (tmp_path / "b.age").read_bytes() == b"precious"
