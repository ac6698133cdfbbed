"""Issue 14: the CLI keeps its small promises. One test per item: exit code and message."""

# ruff: noqa: F811
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import PASSPHRASE, RunFn, initialised, run, wallet_dir  # noqa: F401
from tests.cli.test_cli_credentials import holder_samples
from wallet.issuer.demo import COLLEGE, EMPLOYER
from wallet.issuer.samples import ob3_credential, sign
from wallet.sources import _shortened


def _badge(path: Path, subject: str = "did:example:someone-else") -> Path:
    doc = ob3_credential(COLLEGE, credential_id="p", subject_id=subject, subject_name="S",
                         achievement_name="Promise Badge", description="d", criteria="c")
    path.write_text(json.dumps(sign(doc, COLLEGE)))
    return path


def test_1_no_wallet_uses_neither_trust_list_nor_cache(initialised: RunFn,
                                                       tmp_path: Path) -> None:
    badge = _badge(tmp_path / "b.json")
    assert initialised("trust", "add", COLLEGE.did).exit_code == 0
    with_wallet = initialised("--json", "verify", str(badge))
    assert with_wallet.json["verdict"] == "valid"
    without = initialised("--json", "verify", str(badge), "--no-wallet")
    assert without.exit_code == 1 and without.json["verdict"] == "valid_untrusted_issuer"
    stored = initialised("--json", "import", str(badge)).json["results"][0]["id"]
    refused = initialised("verify", stored, "--no-wallet")
    assert refused.exit_code == 4 and "--no-wallet verifies a file" in refused.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("restore", "missing.age"),
        ("trust", "import", "missing.json"),
        ("cache", "add", "https://x.example/.well-known/jwks.json", "missing.json"),
        ("verify", "missing.json", "--no-wallet"),
        ("import", "missing.json"),
        ("verify-presentation", "missing.json", "--audience", "a", "--nonce", "n"),
    ],
)
def test_2_a_missing_file_is_not_found(initialised: RunFn, tmp_path: Path,
                                       args: tuple[str, ...]) -> None:
    result = initialised(*(str(tmp_path / a) if a.startswith("missing") else a for a in args))
    assert result.exit_code == 4, result.stderr
    assert "missing" in result.stderr


@pytest.mark.parametrize("value", ["90", "90s", "5m", "1h"])
def test_3_one_duration_syntax(initialised: RunFn, tmp_path: Path, value: str) -> None:
    files = holder_samples(initialised, tmp_path)
    sd = initialised("--json", "import", str(files["sd.txt"])).json["results"][0]["id"]
    out = tmp_path / f"p{value}.json"
    assert initialised("present", sd, "--disclose", "grade", "--audience", "a", "--nonce", "n",
                       "--expires", value, "--out", str(out)).exit_code == 0
    checked = initialised("--json", "verify-presentation", str(out), "--audience", "a",
                          "--nonce", "n", "--max-age", value)
    assert checked.json["verdict"] in ("valid", "valid_untrusted_issuer")


@pytest.mark.parametrize(("value", "message"), [("0", "more than zero"), ("-5", "more than zero"),
                                                ("5 minutes", "not a duration"),
                                                ("0m", "more than zero")])
def test_3_zero_negative_and_junk_durations_are_refused(initialised: RunFn, tmp_path: Path,
                                                         value: str, message: str) -> None:
    (tmp_path / "p.json").write_text("{}")
    for args in (("verify-presentation", str(tmp_path / "p.json"), "--audience", "a",
                  "--nonce", "n", "--max-age", value),):
        result = initialised(*args)
        assert result.exit_code == 2 and message in result.stderr
        assert result.stderr.count("\n") == 1


def test_4_size_limits_are_worded_alike(initialised: RunFn, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(33 * 1024 * 1024)
    result = initialised("verify", str(big), "--no-wallet")
    assert result.exit_code == 5 and "larger than the 32 MiB limit for input files" in result.stderr
    document = tmp_path / "doc.json"
    document.write_bytes(b'{"a": "' + b"x" * (9 * 1024 * 1024) + b'"}')
    result = initialised("verify", str(document), "--no-wallet")
    assert result.exit_code == 5
    assert "larger than the 8 MiB limit for a credential document" in result.stderr


def test_5_messages_name_the_right_option(initialised: RunFn, tmp_path: Path) -> None:
    result = initialised("passwd")
    assert result.exit_code == 3
    assert "--new-passphrase-file" in result.stderr and "WALLET_NEW_PASSPHRASE" in result.stderr
    missing = initialised("passwd", "--new-passphrase-file", str(tmp_path / "nope"))
    assert missing.exit_code == 4 and "--new-passphrase-file" in missing.stderr
    recover = initialised("recover", env={"WALLET_NEW_PASSPHRASE": "x" * 10})
    assert recover.exit_code == 3 and "--recovery-key-file" in recover.stderr


def test_6_cache_add_says_what_a_document_is_for(initialised: RunFn, tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}))
    added = initialised("--json", "cache", "add", "https://issuer.example.com", str(jwks))
    assert added.exit_code == 0 and added.json["kind"] == "JWKS (issuer keys)"
    assert "https://issuer.example.com/.well-known/jwks.json" in added.json["used_for"]
    single = tmp_path / "jwk.json"
    single.write_text(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "AA"}))
    refused = initialised("cache", "add", "https://issuer.example.com", str(single))
    assert refused.exit_code == 5 and "a single JWK" in refused.stderr
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps({"hello": "world"}))
    refused = initialised("cache", "add", "https://issuer.example.com/x", str(junk))
    assert refused.exit_code == 5 and "status list" in refused.stderr
    metadata = tmp_path / "meta.json"
    metadata.write_text(json.dumps({"issuer": "https://i.example/t", "jwks": {"keys": []}}))
    misplaced = initialised("cache", "add", "https://i.example/t", str(metadata))
    assert misplaced.exit_code == 5 and "/.well-known/jwt-vc-issuer" in misplaced.stderr
    placed = initialised("--json", "cache", "add",
                         "https://i.example/.well-known/jwt-vc-issuer/t", str(metadata))
    assert placed.exit_code == 0 and placed.json["kind"].startswith("SD-JWT VC issuer metadata")
    urls = [d["url"] for d in initialised("--json", "cache", "list").json["documents"]]
    assert sorted(urls) == ["https://i.example/.well-known/jwt-vc-issuer/t",
                            "https://issuer.example.com"]


def test_7_a_mistyped_passphrase_gets_three_tries(initialised: RunFn,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wallet.cli.stdin_is_terminal", lambda: True)
    typed = f"wrong one\nwrong two\n{PASSPHRASE}\n"
    result = initialised("list", passphrase=None, input=typed)
    assert result.exit_code == 0, result.stderr
    assert "Wrong passphrase; 2 more tries." in result.stderr
    assert "Wrong passphrase; 1 more try." in result.stderr
    three_wrong = initialised("list", passphrase=None, input="a\nb\nc\n")
    assert three_wrong.exit_code == 3
    # From the environment a wrong passphrase fails at once.
    scripted = initialised("list", passphrase="not it")
    assert scripted.exit_code == 3 and "Wrong passphrase;" not in scripted.stderr


def test_8_the_terminal_qr_fits_80_columns(initialised: RunFn, tmp_path: Path) -> None:
    files = holder_samples(initialised, tmp_path)
    ids = [r["id"] for r in initialised("--json", "import", str(files["ob3.json"]),
                                        str(files["sd.txt"])).json["results"]]
    result = initialised("--json", "present", *ids, "--disclose", "grade", "--audience", "a",
                         "--nonce", "n", "--out", str(tmp_path / "p.json"), "--qr", "-",
                         "--yes")
    assert result.exit_code == 0, result.stderr
    codes = [line for line in result.stderr.splitlines() if set(line) <= set("█▀▄ ")]
    assert codes and max(len(line) for line in codes) <= 80
    assert result.json["qr_codes"] >= 1


def test_8_a_terminal_too_narrow_says_how_wide(initialised: RunFn, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    files = holder_samples(initialised, tmp_path)
    sd = initialised("--json", "import", str(files["sd.txt"])).json["results"][0]["id"]
    monkeypatch.setattr("shutil.get_terminal_size",
                        lambda fallback=(80, 24): os.terminal_size((20, 24)))
    result = initialised("present", sd, "--disclose", "grade", "--audience", "a", "--nonce", "n",
                         "--out", str(tmp_path / "p.json"), "--qr", "-")
    assert result.exit_code == 2 and "20 columns wide" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "p.json").exists()


def test_9_an_empty_search_is_not_an_empty_wallet(initialised: RunFn, tmp_path: Path) -> None:
    _badge(tmp_path / "b.json")
    assert initialised("import", str(tmp_path / "b.json")).exit_code == 0
    result = initialised("list", "--search", "zzzz")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Nothing matched 'zzzz' in 1 credentials."
    assert initialised("--json", "list", "--search", "zzzz").json == {
        "credentials": [], "searched": 1
    }


def test_10_a_long_link_is_cut_at_a_boundary_with_an_ellipsis() -> None:
    short = "https://badges.example.org/assertions/123"
    assert _shortened(short) == short
    long = "https://badges.example.org/" + "/".join(f"segment{i}" for i in range(40))
    cut = _shortened(long)
    assert cut.endswith("/…") and long.startswith(cut[:-1]) and len(cut) <= 202


def test_11_show_puts_things_where_they_belong(initialised: RunFn, tmp_path: Path) -> None:
    doc = ob3_credential(COLLEGE, credential_id="m", subject_id="did:example:a", subject_name="A",
                         achievement_name="Multi-line", description="d",
                         criteria="First line.\nSecond line.", endorser=EMPLOYER)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(sign(doc, COLLEGE)))
    rid = initialised("--json", "import", str(path)).json["results"][0]["id"]
    shown = initialised("show", rid).stdout
    assert "  Criteria: First line.\n  Second line." in shown and "\\n" not in shown
    endorsement = shown.split("Partner endorsement", 1)[1].split("\n\n", 1)[0]
    assert "(verified)" in endorsement or "(not verified)" in endorsement


def test_12_presenting_an_unbound_credential_warns(initialised: RunFn, tmp_path: Path) -> None:
    rid = initialised("--json", "import", str(_badge(tmp_path / "b.json"))).json["results"][0]["id"]
    result = initialised("--json", "present", rid, "--audience", "a", "--nonce", "n",
                         "--out", str(tmp_path / "p.json"), "--yes")
    assert result.exit_code == 0
    assert "not bound to your keys" in result.stderr and "unbound" in result.stderr
    assert result.json["warnings"] and "did:example:someone-else" in result.json["warnings"][0]
    key = next(k for k in initialised("--json", "keys").json["keys"] if k["alg"] == "EdDSA")
    mine = initialised("--json", "import", str(_badge(tmp_path / "mine.json", key["did"])))
    own = mine.json["results"][0]["id"]
    result = initialised("--json", "present", own, "--audience", "a", "--nonce", "n",
                         "--out", str(tmp_path / "q.json"), "--yes")
    assert result.exit_code == 0 and result.json["warnings"] == []
