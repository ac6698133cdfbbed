"""Record lifecycle through the public API: ids, revisions, kinds, deletes, locking, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.store.conftest import PASSPHRASE, MakeStore
from wallet.errors import LockedError, NotFound, UsageError
from wallet.store import Store


def test_put_update_get_list_delete(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    a = store.put("credential", {"title": "A"})
    b = store.put("holder_key", {"kty": "OKP"})
    assert a != b
    assert store.put("credential", {"title": "A2"}, record_id=a) == a
    got = store.get(a)
    assert (got.kind, got.revision, got.data) == ("credential", 2, {"title": "A2"})
    assert [r.id for r in store.list("credential")] == [a]
    assert {r.id for r in store.list()} == {a, b}
    store.delete(b)
    with pytest.raises(NotFound):
        store.get(b)
    with pytest.raises(NotFound):
        store.delete(b)
    with pytest.raises(NotFound):
        store.put("credential", {}, record_id="0" * 32)
    store.close()
    # Everything survives a reopen, revision included.
    reopened = Store.open(tmp_path / "w", PASSPHRASE)
    assert [(r.id, r.revision, r.data) for r in reopened.list()] == [(a, 2, {"title": "A2"})]


def test_returned_data_is_a_copy(make_store: MakeStore) -> None:
    store, _ = make_store()
    rid = store.put("credential", {"tags": ["x"]})
    store.get(rid).data["tags"].append("y")
    assert store.get(rid).data == {"tags": ["x"]}


def test_every_call_after_lock_or_close_raises_locked(make_store: MakeStore) -> None:
    store, _ = make_store()
    rid = store.put("credential", {"n": 1})
    store.lock()
    calls: list[Callable[[], object]] = [
        lambda: store.get(rid),
        store.list,
        lambda: store.put("credential", {"n": 2}),
        lambda: store.delete(rid),
        lambda: store.change_passphrase("another passphrase"),
    ]
    for call in calls:
        with pytest.raises(LockedError):
            call()
    store.close()
    with pytest.raises(LockedError):
        store.list()


def test_create_refuses_an_existing_wallet(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    store.put("credential", {"keep": True})
    store.close()
    with pytest.raises(UsageError):
        make_store()
    assert [r.data for r in Store.open(tmp_path / "w", PASSPHRASE).list()] == [{"keep": True}]


def test_snapshot_is_a_working_encrypted_copy(make_store: MakeStore, tmp_path: Path) -> None:
    store, recovery = make_store()
    rid = store.put("credential", {"title": "Snapshot me"})
    (tmp_path / "copy").mkdir()
    store.snapshot(tmp_path / "copy" / "wallet.db")
    with pytest.raises(UsageError):
        store.snapshot(tmp_path / "copy" / "wallet.db")  # never overwrites
    assert b"Snapshot me" not in (tmp_path / "copy" / "wallet.db").read_bytes()
    copy = Store.open_with_recovery_key(tmp_path / "copy", recovery)
    assert copy.get(rid).data == {"title": "Snapshot me"}
    assert copy.store_id == store.store_id
