"""The store's user-facing paths through the CLI: recover, passwd re-keying, verify --all,
bulk import summary and Ctrl-C, rollback detection, and restore as a new baseline."""

# ruff: noqa: F811
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import PASSPHRASE, RunFn, initialised, run, wallet_dir  # noqa: F401
from wallet.api import Wallet
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign

NEW = "a brand new passphrase"


def _init(run: RunFn) -> str:
    result = run("--json", "init", "--weak-kdf")
    assert result.exit_code == 0, result.stderr
    return str(result.json["recovery_key"])


def _badges(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        doc = ob3_credential(COLLEGE, credential_id=f"b{i}", subject_id="did:example:alex",
                             subject_name="Alex", achievement_name=f"Badge {i}",
                             description="d", criteria="c")
        path = folder / f"badge-{i:02}.json"
        path.write_text(json.dumps(sign(doc, COLLEGE)))
        paths.append(path)
    return paths


def test_recover_sets_a_new_passphrase(run: RunFn, wallet_dir: Path) -> None:
    recovery = _init(run)
    env = {"WALLET_RECOVERY_KEY": recovery, "WALLET_NEW_PASSPHRASE": NEW}
    result = run("--json", "recover", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json["changed"] is True
    assert run("list").exit_code == 3  # the old passphrase no longer opens it
    assert run("list", passphrase=NEW).exit_code == 0
    # The recovery key still works after the re-key.
    again = run("recover", env={**env, "WALLET_NEW_PASSPHRASE": PASSPHRASE})
    assert again.exit_code == 0 and run("list").exit_code == 0


def test_a_wrong_recovery_key_is_exit_3_and_changes_nothing(run: RunFn) -> None:
    recovery = _init(run)
    wrong = ("B" if recovery[0] != "B" else "C") + recovery[1:]
    for key in (wrong, "not a key at all"):
        result = run("recover", env={"WALLET_RECOVERY_KEY": key, "WALLET_NEW_PASSPHRASE": NEW})
        assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert run("list").exit_code == 0 and run("list", passphrase=NEW).exit_code == 3


def test_passwd_re_encrypts_every_record(run: RunFn, wallet_dir: Path, tmp_path: Path) -> None:
    _init(run)
    _badges(tmp_path / "in", 3)
    assert run("import", str(tmp_path / "in")).exit_code == 0
    db = sqlite3.connect(wallet_dir / "wallet.db")
    before = dict(db.execute("SELECT id, blob FROM records").fetchall())
    result = run("--json", "passwd", env={"WALLET_NEW_PASSPHRASE": NEW})
    assert result.exit_code == 0 and result.json == {"changed": True, "recovery_key": None}
    after = dict(db.execute("SELECT id, blob FROM records").fetchall())
    db.close()
    assert before.keys() == after.keys() and all(before[k] != after[k] for k in before)
    assert len(run("--json", "list", passphrase=NEW).json["credentials"]) == 3


def test_verify_all_keeps_the_new_verdicts(run: RunFn, tmp_path: Path) -> None:
    _init(run)
    _badges(tmp_path / "in", 2)
    assert run("import", str(tmp_path / "in")).exit_code == 0
    listed = run("--json", "list").json["credentials"]
    assert {c["verdict"] for c in listed} == {"valid_untrusted_issuer"}
    assert run("trust", "add", COLLEGE.did).exit_code == 0
    result = run("--json", "verify", "--all")
    assert result.exit_code == 0
    assert result.json["verified"] == 2 and result.json["changed"] == 2
    assert {(r["previous"], r["verdict"]) for r in result.json["results"]} == {
        ("valid_untrusted_issuer", "valid")
    }
    assert {c["verdict"] for c in run("--json", "list").json["credentials"]} == {"valid"}
    assert run("verify").exit_code == 2 and run("verify", "x", "--all").exit_code == 2


def test_import_summary_line(run: RunFn, tmp_path: Path) -> None:
    _init(run)
    folder = tmp_path / "in"
    _badges(folder, 2)
    (folder / "junk.json").write_text("{not json")
    result = run("--json", "import", str(folder))
    assert result.exit_code == 5
    assert result.json["summary"]["imported"] == 2
    assert [r["source"] for r in result.json["summary"]["refused"]] == [str(folder / "junk.json")]
    assert result.stderr.startswith("2 imported, 0 already in the wallet, 1 refused: ")
    again = run("import", str(folder))
    assert again.stderr.startswith("0 imported, 2 already in the wallet, 1 refused")


def test_ctrl_c_stops_after_the_current_item_and_a_rerun_imports_the_rest(
    run: RunFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _init(run)
    folder = tmp_path / "in"
    _badges(folder, 5)
    original = Wallet.import_bytes
    calls = []

    def interrupted_during_the_second(self: Wallet, data: bytes, **kw: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while this item is being imported
        return original(self, data, **kw)

    monkeypatch.setattr(Wallet, "import_bytes", interrupted_during_the_second)
    result = run("--json", "import", str(folder))
    monkeypatch.undo()
    assert result.exit_code == 130
    summary = result.json["summary"]
    assert summary["imported"] == 2 and summary["interrupted"] and summary["not_started"] == 3
    assert "stopped by Ctrl-C with 3 not started" in result.stderr
    rerun = run("--json", "import", str(folder))
    assert rerun.exit_code == 0
    assert (rerun.json["summary"]["imported"], rerun.json["summary"]["duplicates"]) == (3, 2)
    assert len(run("--json", "list").json["credentials"]) == 5


def test_a_rolled_back_wallet_file_is_refused_until_accepted(
    run: RunFn, wallet_dir: Path, tmp_path: Path
) -> None:
    _init(run)
    assert run("trust", "add", COLLEGE.did).exit_code == 0
    shutil.copy(wallet_dir / "wallet.db", tmp_path / "old.db")
    assert run("trust", "remove", COLLEGE.did).exit_code == 0
    for leftover in ("wallet.db-wal", "wallet.db-shm"):
        (wallet_dir / leftover).unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.db", wallet_dir / "wallet.db")
    refused = run("--json", "trust", "list")
    assert refused.exit_code == 7 and "--accept-rollback" in refused.stderr
    accepted = run("--accept-rollback", "--json", "trust", "list")
    assert accepted.exit_code == 0 and COLLEGE.did in accepted.stdout
    assert run("trust", "list").exit_code == 0  # the new baseline


def test_a_restored_backup_is_not_taken_for_a_rollback(
    run: RunFn, wallet_dir: Path, tmp_path: Path
) -> None:
    _init(run)
    backup = tmp_path / "w.age"
    env = {"WALLET_BACKUP_PASSPHRASE": "backup pass phrase"}
    assert run("backup", str(backup), env=env).exit_code == 0
    assert run("trust", "add", COLLEGE.did).exit_code == 0  # the wallet moves on
    shutil.rmtree(wallet_dir)
    assert run("restore", str(backup), env=env).exit_code == 0
    assert run("trust", "list").exit_code == 0


def test_a_non_numeric_generation_is_a_clean_exit_7(run: RunFn, wallet_dir: Path) -> None:
    _init(run)
    db = sqlite3.connect(wallet_dir / "wallet.db")
    db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (b"12abc",))
    db.commit()
    db.close()
    result = run("list")
    assert result.exit_code == 7 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
