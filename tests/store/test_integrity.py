"""Tampering with the database file is detected and named; the rest can be rescued."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.store.conftest import PASSPHRASE, MakeStore, raw_db
from wallet.errors import IntegrityError, StorageError, UsageError
from wallet.store import Store

SECRETS = ["Advanced Welding Micro-credential", "jane.learner@example.org", "did:example:123"]


def filled(make_store: MakeStore, tmp_path: Path) -> tuple[list[str], Path]:
    store, _ = make_store()
    ids = [store.put("credential", {"title": s, "n": i}) for i, s in enumerate(SECRETS)]
    store.close()
    return ids, tmp_path / "w"


def tamper(
    path: Path, action: Callable[[sqlite3.Connection, list[str]], None], ids: list[str]
) -> None:
    db = raw_db(path)
    action(db, ids)
    db.close()


def flip_bit(db: sqlite3.Connection, ids: list[str]) -> None:
    blob = bytearray(db.execute("SELECT blob FROM records WHERE id=?", (ids[1],)).fetchone()[0])
    blob[20] ^= 0x01
    db.execute("UPDATE records SET blob=? WHERE id=?", (bytes(blob), ids[1]))


def move_row(db: sqlite3.Connection, ids: list[str]) -> None:
    # Swap the ciphertexts of two records (a row moved to another id).
    a = db.execute("SELECT blob FROM records WHERE id=?", (ids[0],)).fetchone()[0]
    b = db.execute("SELECT blob FROM records WHERE id=?", (ids[1],)).fetchone()[0]
    db.execute("UPDATE records SET blob=? WHERE id=?", (b, ids[0]))
    db.execute("UPDATE records SET blob=? WHERE id=?", (a, ids[1]))


def relabel(db: sqlite3.Connection, ids: list[str]) -> None:
    db.execute("UPDATE records SET kind='holder_key' WHERE id=?", (ids[1],))


def delete_row(db: sqlite3.Connection, ids: list[str]) -> None:
    db.execute("DELETE FROM records WHERE id=?", (ids[1],))


CASES = {
    "flipped bit": (flip_bit, 1),
    "row moved to another id": (move_row, 0),
    "row relabelled as another kind": (relabel, 1),
    "deleted row": (delete_row, 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_detected_and_named(make_store: MakeStore, tmp_path: Path, case: str) -> None:
    ids, path = filled(make_store, tmp_path)
    action, victim = CASES[case]
    tamper(path, action, ids)
    with pytest.raises(IntegrityError) as info:
        Store.open(path, PASSPHRASE)
    assert info.value.exit_code == 7
    assert ids[victim] in str(info.value)
    assert info.value.record_id == ids[victim]
    # Everything else can still be rescued.
    rescued = Store.open(path, PASSPHRASE, ignore_damaged=True)
    assert ids[victim] in rescued.damaged
    others = {r.id: r.data["title"] for r in rescued.list()}
    undamaged = [i for i in ids if i not in rescued.damaged]
    assert {i: others[i] for i in undamaged} == {i: SECRETS[ids.index(i)] for i in undamaged}
    assert len(undamaged) >= len(ids) - 2


def test_rescued_wallet_is_read_only(make_store: MakeStore, tmp_path: Path) -> None:
    ids, path = filled(make_store, tmp_path)
    tamper(path, delete_row, ids)
    rescued = Store.open(path, PASSPHRASE, ignore_damaged=True)
    with pytest.raises(UsageError, match="read-only"):
        rescued.put("credential", {"x": 1})


def test_row_rolled_back_to_an_older_revision(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    rid = store.put("credential", {"status": "draft"})
    other = store.put("credential", {"status": "other"})
    db = raw_db(tmp_path / "w")
    old = db.execute("SELECT revision, blob FROM records WHERE id=?", (rid,)).fetchone()
    store.put("credential", {"status": "revoked by the learner"}, rid)
    store.close()
    db.execute("UPDATE records SET revision=?, blob=? WHERE id=?", (old[0], old[1], rid))
    db.close()
    with pytest.raises(IntegrityError, match=rid):
        Store.open(tmp_path / "w", PASSPHRASE)
    rescued = Store.open(tmp_path / "w", PASSPHRASE, ignore_damaged=True)
    assert rescued.damaged == [rid]
    assert rescued.get(other).data == {"status": "other"}


def test_row_copied_in_from_another_wallet(make_store: MakeStore, tmp_path: Path) -> None:
    mine, _ = make_store("mine")
    theirs, _ = make_store("theirs")
    keep = mine.put("credential", {"t": "mine"})
    foreign = theirs.put("credential", {"t": "theirs"})
    mine.close()
    theirs.close()
    src = raw_db(tmp_path / "theirs")
    row = src.execute("SELECT id, kind, revision, blob FROM records").fetchone()
    src.close()
    dst = raw_db(tmp_path / "mine")
    dst.execute("INSERT INTO records VALUES (?, ?, ?, ?)", row)
    dst.close()
    with pytest.raises(IntegrityError, match=foreign):
        Store.open(tmp_path / "mine", PASSPHRASE)
    rescued = Store.open(tmp_path / "mine", PASSPHRASE, ignore_damaged=True)
    assert rescued.damaged == [foreign]
    assert [r.id for r in rescued.list()] == [keep]


def test_copied_row_with_a_forged_manifest_still_fails_authentication(
    make_store: MakeStore, tmp_path: Path
) -> None:
    """Even an attacker who rewrites the plaintext index cannot make a foreign row decrypt."""
    mine, _ = make_store("mine")
    theirs, _ = make_store("theirs")
    mine.put("credential", {"t": "mine"})
    victim = mine.put("credential", {"t": "to be replaced"})
    theirs.put("credential", {"t": "theirs"})
    mine.close()
    theirs.close()
    src = raw_db(tmp_path / "theirs")
    blob = src.execute("SELECT blob FROM records").fetchone()[0]
    src.close()
    dst = raw_db(tmp_path / "mine")
    dst.execute("UPDATE records SET blob=? WHERE id=?", (blob, victim))
    dst.close()
    with pytest.raises(IntegrityError, match=victim):
        Store.open(tmp_path / "mine", PASSPHRASE)


def test_tampered_manifest_breaks_the_store_mac(make_store: MakeStore, tmp_path: Path) -> None:
    ids, path = filled(make_store, tmp_path)
    db = raw_db(path)
    db.execute("UPDATE meta SET value=? WHERE key='generation'", (b"1",))
    db.close()
    with pytest.raises(IntegrityError, match="store MAC"):
        Store.open(path, PASSPHRASE)
    rescued = Store.open(path, PASSPHRASE, ignore_damaged=True)
    assert rescued.damaged == ["store-mac"]
    assert sorted(r.id for r in rescued.list()) == sorted(ids)


def test_no_plaintext_in_any_database_file(make_store: MakeStore, tmp_path: Path) -> None:
    store, recovery = make_store()
    for s in SECRETS:
        store.put("credential", {"title": s, "issuer": {"name": "Secret College of Arts"}})
    files = [tmp_path / "w" / n for n in ("wallet.db", "wallet.db-wal", "wallet.db-shm")]

    def assert_clean() -> None:
        blob = b"".join(f.read_bytes() for f in files if f.exists())
        assert blob  # the files really were read
        for needle in [*SECRETS, "Secret College of Arts", PASSPHRASE, recovery]:
            assert needle.encode() not in blob
            assert needle.encode("utf-16-le") not in blob

    assert (tmp_path / "w" / "wallet.db-wal").exists()
    assert_clean()  # while open, with the WAL in use
    store.close()
    assert_clean()


def test_nonces_are_unique(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    rid = store.put("credential", {"v": 0})
    db = raw_db(tmp_path / "w")
    nonces = set()
    for i in range(300):
        store.put("credential", {"v": i}, rid)
        blob = db.execute("SELECT blob FROM records WHERE id=?", (rid,)).fetchone()[0]
        assert blob[0] == 1 and blob[1] == 1  # version, key id
        nonces.add(blob[2:14])
    db.close()
    assert len(nonces) == 300


def test_disk_full_fails_cleanly_and_changes_nothing(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    kept = [store.put("credential", {"n": i, "pad": "x" * 100}) for i in range(5)]
    conn = store._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")  # the disk is now "full"
    with pytest.raises(StorageError) as info:
        for i in range(200):
            store.put("credential", {"n": i, "pad": "y" * 4000})
    assert "nothing was changed" in str(info.value)
    assert info.value.exit_code == 8
    conn.execute("PRAGMA max_page_count=1073741823")
    listed = {r.id for r in store.list()}
    assert set(kept) <= listed
    store.close()
    reopened = Store.open(tmp_path / "w", PASSPHRASE)
    assert {r.id for r in reopened.list()} == listed
    assert reopened.put("credential", {"after": True})  # still writable


def test_io_error_during_write_rolls_back(
    make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = make_store()
    first = store.put("credential", {"n": 1})
    from wallet.store import store as store_mod

    def failing_mac(*args: object) -> bytes:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_mod, "store_mac", failing_mac)
    with pytest.raises(StorageError, match="disk I/O"):
        store.put("credential", {"n": 2})
    monkeypatch.undo()
    assert [r.id for r in store.list()] == [first]
    store.close()
    assert [r.id for r in Store.open(tmp_path / "w", PASSPHRASE).list()] == [first]


def test_put_many_is_one_transaction_and_verifies_on_reopen(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store, _ = make_store()
    before = int(
        store._connection().execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]
    )
    ids = store.put_many("credential", [{"n": i} for i in range(50)])
    after = int(
        store._connection().execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]
    )
    assert after == before + 1
    store.close()
    reopened = Store.open(tmp_path / "w", PASSPHRASE)
    assert sorted(r.data["n"] for r in reopened.list()) == list(range(50))
    assert {r.id for r in reopened.list()} == set(ids)
