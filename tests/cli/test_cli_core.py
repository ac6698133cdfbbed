"""The CLI contract of the foundation: init, keys, list, show, passwd, backup, restore."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import PASSPHRASE, RunFn
from wallet import __version__


def test_version(run: RunFn) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_init_prints_recovery_key_once_and_creates_two_holder_keys(
    run: RunFn, wallet_dir: Path
) -> None:
    result = run("--json", "init", "--weak-kdf")
    assert result.exit_code == 0, result.stderr
    data = result.json
    assert data["wallet"] == str(wallet_dir)
    assert len(data["recovery_key"]) >= 20
    algs = sorted(k["alg"] for k in data["keys"])
    assert algs == ["ES256", "EdDSA"]
    ed = next(k for k in data["keys"] if k["alg"] == "EdDSA")
    assert ed["did"].startswith("did:key:z6Mk")  # multicodec ed01 -> z6Mk
    assert ed["jwk"]["kty"] == "OKP" and ed["jwk"]["crv"] == "Ed25519" and "d" not in ed["jwk"]
    p256 = next(k for k in data["keys"] if k["alg"] == "ES256")
    assert p256["did"].startswith("did:key:zDn")  # multicodec 8024 -> zDn
    assert p256["jwk"]["crv"] == "P-256" and "d" not in p256["jwk"]
    # Never again: keys shows public material only.
    keys = run("--json", "keys")
    assert keys.exit_code == 0
    assert data["recovery_key"] not in keys.stdout
    assert sorted(k["did"] for k in keys.json["keys"]) == sorted(k["did"] for k in data["keys"])


def test_init_refuses_an_existing_wallet(initialised: RunFn) -> None:
    again = initialised("init", "--weak-kdf")
    assert again.exit_code == 2
    assert "already exists" in again.stderr


def test_init_refuses_a_short_passphrase(run: RunFn, wallet_dir: Path) -> None:
    result = run("init", "--weak-kdf", passphrase="short")
    assert result.exit_code == 2
    assert not (wallet_dir / "wallet.db").exists()


def test_wrong_passphrase_exits_3_with_one_line(initialised: RunFn) -> None:
    result = initialised("list", passphrase="not the passphrase")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: wrong passphrase"
    assert result.stdout == ""


def test_no_wallet_is_not_found(run: RunFn) -> None:
    result = run("list")
    assert result.exit_code == 4
    assert "wallet init" in result.stderr


def test_list_empty_and_show_unknown(initialised: RunFn) -> None:
    listed = initialised("--json", "list")
    assert listed.exit_code == 0
    assert listed.json == {"credentials": []}
    missing = initialised("show", "deadbeef")
    assert missing.exit_code == 4
    assert missing.stderr.count("\n") == 1


def test_passwd_changes_the_passphrase(initialised: RunFn) -> None:
    changed = initialised("passwd", env={"WALLET_NEW_PASSPHRASE": "a brand new passphrase"})
    assert changed.exit_code == 0, changed.stderr
    assert initialised("list").exit_code == 3
    assert initialised("list", passphrase="a brand new passphrase").exit_code == 0


def test_backup_and_restore_round_trip(initialised: RunFn, tmp_path: Path, run: RunFn) -> None:
    trusted = initialised("trust", "add", "did:web:college.example", "--name", "College")
    assert trusted.exit_code == 0, trusted.stderr
    backup = tmp_path / "wallet.age"
    made = initialised("backup", str(backup))
    assert made.exit_code == 0, made.stderr
    assert backup.read_bytes().startswith(b"age-encryption.org/v1")
    assert b"college.example" not in backup.read_bytes()

    target = tmp_path / "restored"
    from click.testing import CliRunner

    from wallet.cli import cli

    runner = CliRunner()
    env = {"WALLET_PASSPHRASE": PASSPHRASE}
    restored = runner.invoke(cli, ["--wallet", str(target), "restore", str(backup)], env=env)
    assert restored.exit_code == 0, restored.stderr
    listed = runner.invoke(cli, ["--wallet", str(target), "--json", "trust", "list"], env=env)
    assert listed.exit_code == 0, listed.stderr
    assert '"did:web:college.example"' in listed.stdout
    # Never over an existing wallet.
    again = runner.invoke(cli, ["--wallet", str(target), "restore", str(backup)], env=env)
    assert again.exit_code != 0
    assert re.search(r"not empty|exists", again.stderr)


def test_trust_add_list_remove(initialised: RunFn) -> None:
    assert initialised("trust", "add", "not-a-did").exit_code == 2
    assert initialised("trust", "add", "did:key:z6MkExample", "--name", "X").exit_code == 0
    assert initialised("--json", "trust", "list").json == {
        "issuers": [{"id": "did:key:z6MkExample", "name": "X"}]
    }
    assert initialised("trust", "remove", "did:key:z6MkExample").exit_code == 0
    assert initialised("trust", "remove", "did:key:z6MkExample").exit_code == 4
    assert initialised("--json", "trust", "list").json == {"issuers": []}


def test_no_passphrase_without_a_terminal_is_exit_3(initialised: RunFn) -> None:
    result = initialised("list", passphrase=None)
    assert result.exit_code == 3
    assert "WALLET_PASSPHRASE" in result.stderr
