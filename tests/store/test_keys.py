"""Key derivation and wrapping: RFC 9106 vector, passphrase handling, key slots."""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from tests.store.conftest import FAST, PASSPHRASE, MakeStore, raw_db
from wallet.errors import IntegrityError, LockedError, UsageError, WrongPassphrase
from wallet.store import KdfParams, Store, keys, records
from wallet.store import keys as keymod


def test_rfc9106_argon2id_vector() -> None:
    kdf = Argon2id(
        salt=b"\x02" * 16,
        length=32,
        iterations=3,
        lanes=4,
        memory_cost=32,
        secret=b"\x03" * 8,
        ad=b"\x04" * 12,
    )
    tag = kdf.derive(b"\x01" * 32)
    assert tag.hex() == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"


def test_default_parameters_are_the_documented_ones() -> None:
    assert KdfParams() == KdfParams(memory_kib=262144, iterations=3, parallelism=4)


def test_weak_parameters_need_an_explicit_setting(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="too weak"):
        Store.create(tmp_path / "w", PASSPHRASE, kdf=FAST)
    assert not Store.exists(tmp_path / "w")


def test_wrong_passphrase_and_corrupt_slot_give_the_same_error(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store, _ = make_store()
    store.put("credential", {"t": 1})
    store.close()
    with pytest.raises(WrongPassphrase) as wrong:
        Store.open(tmp_path / "w", "not it")
    db = raw_db(tmp_path / "w")
    wrapped = db.execute("SELECT wrapped FROM key_slots WHERE slot='passphrase'").fetchone()[0]
    corrupted = bytes([wrapped[0] ^ 1]) + wrapped[1:]
    db.execute("UPDATE key_slots SET wrapped=? WHERE slot='passphrase'", (corrupted,))
    db.close()
    with pytest.raises(WrongPassphrase) as corrupt:
        Store.open(tmp_path / "w", PASSPHRASE)
    assert str(wrong.value) == str(corrupt.value) == "wrong passphrase"
    assert wrong.value.exit_code == corrupt.value.exit_code == 3


def test_both_failures_run_the_same_kdf_work(
    make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing oracle: the KDF runs exactly once, with the slot's parameters, either way."""
    store, _ = make_store()
    store.close()
    calls: list[KdfParams] = []
    real = keymod.derive_passphrase_kek

    def spy(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
        calls.append(params)
        return real(passphrase, salt, params)

    monkeypatch.setattr(keymod, "derive_passphrase_kek", spy)
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "w", "not it")
    db = raw_db(tmp_path / "w")
    db.execute("UPDATE key_slots SET wrapped=zeroblob(60) WHERE slot='passphrase'")
    db.close()
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "w", PASSPHRASE)
    assert calls == [FAST, FAST]


@pytest.mark.parametrize(
    "params",
    [
        {"memory_kib": 1024**3, "iterations": 3, "parallelism": 4},  # 1 TiB
        {"memory_kib": 65536, "iterations": 10**9, "parallelism": 4},
        {"memory_kib": 65536, "iterations": 3, "parallelism": 100000},
        {"memory_kib": 0, "iterations": 3, "parallelism": 4},
        {"memory_kib": "lots"},
    ],
)
def test_absurd_kdf_parameters_are_refused_before_allocating(
    make_store: MakeStore, tmp_path: Path, params: dict[str, object]
) -> None:
    store, _ = make_store()
    store.close()
    db = raw_db(tmp_path / "w")
    db.execute("UPDATE key_slots SET params=? WHERE slot='passphrase'", (json.dumps(params),))
    db.close()
    started = time.process_time()
    with pytest.raises(IntegrityError, match="KDF parameters") as info:
        Store.open(tmp_path / "w", PASSPHRASE)
    assert info.value.exit_code == 7
    # A 1 TiB Argon2id would take minutes of CPU or die; being refused takes next to none.
    assert time.process_time() - started < 5


def test_passphrase_is_nfc_normalised(tmp_path: Path) -> None:
    composed = "caf\u00e9 au lait!"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    store, _ = Store.create(tmp_path / "w", composed, kdf=FAST, allow_weak=True)
    store.close()
    Store.open(tmp_path / "w", decomposed).close()


def test_recovery_key_unlocks_and_is_forgiving_about_case_and_dashes(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store, recovery = make_store()
    rid = store.put("credential", {"title": "kept"})
    store.close()
    sloppy = recovery.replace("-", " ").lower()
    reopened = Store.open_with_recovery_key(tmp_path / "w", sloppy)
    assert reopened.get(rid).data == {"title": "kept"}
    with pytest.raises(WrongPassphrase, match="wrong recovery key"):
        Store.open_with_recovery_key(tmp_path / "w", "AAAA-" * 7 + "AAAA")


def test_change_passphrase_re_encrypts_every_record(make_store: MakeStore, tmp_path: Path) -> None:
    """An old copy of the file plus the old passphrase opens nothing written after a change."""
    import shutil

    store, recovery = make_store()
    ids = [store.put("credential", {"n": i}) for i in range(5)]
    store.close()
    shutil.copy(tmp_path / "w" / "wallet.db", tmp_path / "old-copy.db")
    store = Store.open(tmp_path / "w", PASSPHRASE)
    old_data_key = store._data_key
    db = raw_db(tmp_path / "w")
    before = dict(db.execute("SELECT id, blob FROM records").fetchall())
    assert store.change_passphrase("a new passphrase") is None  # the recovery key stays
    after = dict(db.execute("SELECT id, blob FROM records").fetchall())
    db.close()
    assert sorted(after) == sorted(before) and all(after[i] != before[i] for i in before)
    later = store.put("credential", {"n": "written after the change"})
    store.close()
    # The attacker's view: the old data key (from the old copy and old passphrase) fails
    # on every current record.
    assert old_data_key is not None
    old_records_key = keys.SubKeys.from_data_key(old_data_key).records
    db = raw_db(tmp_path / "w")
    rows = db.execute("SELECT id, kind, revision, blob FROM records").fetchall()
    db.close()
    store_id = Store.open(tmp_path / "w", "a new passphrase").store_id
    for rid, kind, revision, blob in rows:
        with pytest.raises(IntegrityError):
            records.open_blob(old_records_key, store_id, rid, kind, revision, bytes(blob))
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "w", PASSPHRASE)
    reopened = Store.open(tmp_path / "w", "a new passphrase")
    assert sorted(r.id for r in reopened.list()) == sorted([*ids, later])
    reopened.close()
    by_recovery = Store.open_with_recovery_key(tmp_path / "w", recovery)
    assert len(by_recovery.list()) == 6


def test_idle_auto_lock(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "w", PASSPHRASE, kdf=FAST, allow_weak=True)
    store.close()
    now = [1000.0]
    store = Store.open(tmp_path / "w", PASSPHRASE, idle_timeout=300)
    store._clock = lambda: now[0]
    store._last_use = now[0]
    rid = store.put("credential", {"x": 1})
    now[0] += 299
    assert store.get(rid).data == {"x": 1}  # use resets the timer
    now[0] += 301
    with pytest.raises(LockedError, match="locked after 5 minutes idle"):
        store.list()
    assert store.locked
    with pytest.raises(LockedError):
        store.get(rid)
