"""The bucketed store authenticator: a write touches one manifest bucket whatever the store's
size, every tamper class is still caught and named, legacy stores migrate, and a whole-file
rollback is noticed through the generation kept outside the file."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.store.conftest import PASSPHRASE, MakeStore, raw_db
from wallet.errors import IntegrityError, RollbackDetected
from wallet.store import Store, manifest, records


def _buckets(path: Path) -> dict[int, bytes]:
    db = raw_db(path)
    rows = {int(b): bytes(e) for b, e in db.execute("SELECT bucket, entries FROM manifest")}
    db.close()
    return rows


def test_a_write_rewrites_one_bucket_at_any_size(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    store.put_many("credential", [{"n": i} for i in range(600)])
    before = _buckets(tmp_path / "w")
    rid = store.put("credential", {"n": "one more"})
    after = _buckets(tmp_path / "w")
    changed = {b for b in after if before.get(b) != after[b]}
    assert changed == {manifest.bucket_of(rid)}
    assert rid in json.loads(after[manifest.bucket_of(rid)])
    store.close()
    assert len(Store.open(tmp_path / "w", PASSPHRASE).list()) == 601


def _filled(make_store: MakeStore, tmp_path: Path) -> tuple[list[str], Path]:
    store, _ = make_store()
    ids = [store.put("credential", {"t": f"c{i}"}) for i in range(5)]
    store.close()
    return ids, tmp_path / "w"


def test_a_changed_bucket_breaks_the_store_mac(make_store: MakeStore, tmp_path: Path) -> None:
    ids, path = _filled(make_store, tmp_path)
    number = manifest.bucket_of(ids[0])
    bucket = json.loads(_buckets(path)[number])
    bucket[ids[0]][1] = 7  # claim another revision
    db = raw_db(path)
    db.execute("UPDATE manifest SET entries=? WHERE bucket=?",
               (json.dumps(bucket, separators=(",", ":")).encode(), number))
    db.close()
    with pytest.raises(IntegrityError, match="store MAC"):
        Store.open(path, PASSPHRASE)


def test_a_deleted_bucket_breaks_the_store_mac(make_store: MakeStore, tmp_path: Path) -> None:
    ids, path = _filled(make_store, tmp_path)
    db = raw_db(path)
    db.execute("DELETE FROM manifest WHERE bucket=?", (manifest.bucket_of(ids[2]),))
    db.execute("DELETE FROM records WHERE id=?", (ids[2],))
    db.close()
    with pytest.raises(IntegrityError, match="store MAC"):
        Store.open(path, PASSPHRASE)


def test_a_row_rolled_back_with_its_bucket_is_caught(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    rid = store.put("trust", {"issuer": "did:example:bad", "trusted": True})
    db = raw_db(tmp_path / "w")
    number = manifest.bucket_of(rid)
    old_row = db.execute("SELECT revision, blob FROM records WHERE id=?", (rid,)).fetchone()
    old_bucket = db.execute("SELECT entries FROM manifest WHERE bucket=?", (number,)).fetchone()
    store.put("trust", {"issuer": "did:example:bad", "trusted": False}, rid)
    store.close()
    db.execute("UPDATE records SET revision=?, blob=? WHERE id=?", (*old_row, rid))
    db.execute("UPDATE manifest SET entries=? WHERE bucket=?", (old_bucket[0], number))
    db.close()
    with pytest.raises(IntegrityError, match="store MAC"):
        Store.open(tmp_path / "w", PASSPHRASE)


def test_a_non_numeric_generation_is_an_integrity_error(
    make_store: MakeStore, tmp_path: Path
) -> None:
    _, path = _filled(make_store, tmp_path)
    db = raw_db(path)
    db.execute("UPDATE meta SET value=? WHERE key='generation'", (b"seven",))
    db.close()
    with pytest.raises(IntegrityError) as info:
        Store.open(path, PASSPHRASE)
    assert info.value.exit_code == 7 and "generation" in info.value.message


def test_whole_file_rollback_is_noticed_and_can_be_accepted(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store, _ = make_store()
    rid = store.put("trust", {"issuer": "did:example:x"})
    store.close()
    old = tmp_path / "old.db"
    shutil.copy(tmp_path / "w" / "wallet.db", old)
    store = Store.open(tmp_path / "w", PASSPHRASE)
    store.delete(rid)  # the learner's `trust remove`
    store.close()
    shutil.copy(old, tmp_path / "w" / "wallet.db")
    with pytest.raises(RollbackDetected) as info:
        Store.open(tmp_path / "w", PASSPHRASE)
    assert info.value.exit_code == 7 and "--accept-rollback" in info.value.message
    # Rescue mode still reads it; accepting it once makes it the new baseline.
    assert [r.id for r in Store.open(tmp_path / "w", PASSPHRASE, ignore_damaged=True).list()] == [
        rid
    ]
    Store.open(tmp_path / "w", PASSPHRASE, accept_rollback=True).close()
    assert [r.id for r in Store.open(tmp_path / "w", PASSPHRASE).list()] == [rid]


def test_an_honest_reopen_is_not_a_rollback(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    store.put("credential", {"n": 1})
    store.close()
    for _ in range(3):
        Store.open(tmp_path / "w", PASSPHRASE).close()


def _to_legacy(path: Path) -> None:
    """Rewrite a store in the pre-bucket form: one manifest blob in meta, MAC v1."""
    from wallet.store import rows as store_mod

    store = Store.open(path, PASSPHRASE)
    mac_key, store_id = store._sub().mac, store.store_id
    store.close()
    db = raw_db(path)
    rows = db.execute("SELECT id, kind, revision, blob FROM records ORDER BY id").fetchall()
    legacy = {r[0]: [r[1], r[2], records.tag_of(bytes(r[3])).hex()] for r in rows}
    blob = json.dumps(legacy, sort_keys=True, separators=(",", ":")).encode()
    generation = int(db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])
    slots = store_mod.read_slots(db)
    mac = store_mod.legacy_mac(mac_key, store_id, generation, slots, blob)
    db.execute("DELETE FROM manifest")
    db.execute("DELETE FROM meta WHERE key='mac_version'")
    db.execute("INSERT INTO meta VALUES ('manifest', ?)", (blob,))
    db.execute("UPDATE meta SET value=? WHERE key='mac'", (mac,))
    db.close()


def test_a_legacy_store_opens_and_migrates_on_its_next_write(
    make_store: MakeStore, tmp_path: Path
) -> None:
    ids, path = _filled(make_store, tmp_path)
    _to_legacy(path)
    store = Store.open(path, PASSPHRASE)
    assert sorted(r.id for r in store.list()) == sorted(ids)
    new = store.put("credential", {"t": "after"})
    store.close()
    db = raw_db(path)
    assert db.execute("SELECT count(*) FROM meta WHERE key='manifest'").fetchone()[0] == 0
    assert db.execute("SELECT value FROM meta WHERE key='mac_version'").fetchone()[0] == b"2"
    db.close()
    assert sorted(r.id for r in Store.open(path, PASSPHRASE).list()) == sorted([*ids, new])


def test_a_tampered_legacy_store_is_still_caught(make_store: MakeStore, tmp_path: Path) -> None:
    ids, path = _filled(make_store, tmp_path)
    _to_legacy(path)
    db = raw_db(path)
    db.execute("DELETE FROM records WHERE id=?", (ids[3],))
    db.close()
    with pytest.raises(IntegrityError) as info:
        Store.open(path, PASSPHRASE)
    assert info.value.record_id == ids[3]


def test_the_root_covers_every_bucket() -> None:
    a = manifest.Manifest.from_entries({"x": ["credential", 1, "00"]})
    b = manifest.Manifest.from_entries({"x": ["credential", 2, "00"]})
    assert a.root() != b.root()
    key = b"k" * 32
    macs = {manifest.store_mac(key, "s", 1, [], m.root()) for m in (a, b)}
    assert len(macs) == 2
    assert hashlib.sha256(b"".join(a.digests)).digest() == a.root()


def test_sqlite_error_type_is_not_leaked(make_store: MakeStore, tmp_path: Path) -> None:
    _, path = _filled(make_store, tmp_path)
    db = raw_db(path)
    db.execute("DROP TABLE manifest")
    db.close()
    with pytest.raises((IntegrityError, sqlite3.Error)) as info:
        Store.open(path, PASSPHRASE)
    assert isinstance(info.value, IntegrityError)
