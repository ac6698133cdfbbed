"""Class 8: text from a signed credential never reaches the terminal raw; the real
verdict line is printed once; an honest title (non-ASCII too) prints unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wallet.cli import cli
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.textsafe import escape_markup, is_unsafe, safe_text

PASS = "correct horse battery staple"
EVIL = "Nursing\x1b[2K\rverdict: valid\x9b2K\u202eevil\nverdict: valid"


def _cred(title: str, issuer_name: str) -> str:
    doc = ob3_credential(COLLEGE, credential_id="t", subject_id="did:example:a",
                         subject_name="A\u200b", achievement_name=title, description="d",
                         criteria="c")
    doc["issuer"]["name"] = issuer_name
    return json.dumps(sign(doc, COLLEGE))


def _run(wallet: Path, *args: str) -> tuple[int, str, str]:
    # color=True: click passes ANSI through as it would on a real terminal.
    r = CliRunner().invoke(cli, ["--wallet", str(wallet), *args],
                           env={"WALLET_PASSPHRASE": PASS}, catch_exceptions=False, color=True)
    return r.exit_code, r.stdout, r.stderr


def _clean(text: str) -> bool:
    return not any(is_unsafe(c) for c in text if c != "\n")


def test_injected_title_cannot_repaint_the_verdict(tmp_path: Path) -> None:
    wallet = tmp_path / "w"
    _run(wallet, "init", "--weak-kdf")
    f = tmp_path / "evil.json"
    f.write_text(_cred(EVIL, "Coll\u202eege\x1b[0m"))
    code, out, err = _run(wallet, "verify", str(f))
    assert code == 1 and _clean(out + err)
    verdicts = [ln for ln in out.splitlines() if ln.startswith("verdict:")]
    assert verdicts == ["verdict: valid_untrusted_issuer"]
    assert _run(wallet, "import", str(f))[0] == 0
    for args in (("list",), ("--json", "list")):
        code, out, err = _run(wallet, *args)
        assert code == 0 and _clean(out + err) and out.count("\n") >= 1
    listed = json.loads(_run(wallet, "--json", "list")[1])["credentials"][0]
    assert listed["title"] == EVIL  # JSON stays exact
    code, out, err = _run(wallet, "show", listed["id"])
    assert _clean(out) and [ln.strip() for ln in out.splitlines()
                            if ln.strip().startswith("verdict:")] == [
        "verdict: valid_untrusted_issuer"]


def test_honest_title_prints_unchanged(tmp_path: Path) -> None:
    wallet = tmp_path / "w"
    _run(wallet, "init", "--weak-kdf")
    f = tmp_path / "ok.json"
    f.write_text(_cred("Éducation – Soins infirmiers", "Collège Démo"))
    _, out, _ = _run(wallet, "verify", str(f))
    assert out.splitlines()[0] == "Éducation – Soins infirmiers"
    assert "Collège Démo" in out


def test_helpers() -> None:
    assert safe_text("a\x1b\n\u202e") == "a\\x1b\\n\\u202e"
    assert escape_markup("[red]x") == "\\[red]x"
