"""Issue 7, classes 6 and 7: trust follows authentication, and the trust list takes only
DIDs with a method and an identifier, or https origins/URLs with a host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wallet.api import parse_credential, verify_credential
from wallet.cli import cli
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.model import ISSUER_TRUST, CheckStatus, Verdict
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

PASS = "trust tests passphrase"


def _unsigned() -> dict[str, object]:
    return ob3_credential(
        COLLEGE,
        credential_id="trust-1",
        subject_id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        subject_name="Alex Learner",
        achievement_name="Registered Practical Nurse",
        description="Licence to practise.",
        criteria="Passed the board exam.",
    )


def _ctx() -> VerifyContext:
    return VerifyContext(trust=TrustList((TrustEntry(COLLEGE.did, COLLEGE.name),)))


def test_proofless_credential_is_not_trusted() -> None:
    report = verify_credential(parse_credential(json.dumps(_unsigned()).encode()), _ctx())
    trust = report.check(ISSUER_TRUST)
    assert trust is not None and trust.status is CheckStatus.NOT_CHECKED
    assert "nothing proves who wrote" in trust.detail  # before: passed, trusted as the college
    assert report.verdict is Verdict.UNVERIFIABLE


def test_signed_credential_from_trusted_issuer_control() -> None:
    signed = sign(_unsigned(), COLLEGE)
    report = verify_credential(parse_credential(json.dumps(signed).encode()), _ctx())
    trust = report.check(ISSUER_TRUST)
    assert trust is not None and trust.status is CheckStatus.PASSED
    assert report.verdict is Verdict.VALID


def _cli(where: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["--wallet", str(where), *args], env={"WALLET_PASSPHRASE": PASS}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Path:
    where = tmp_path / "w"
    assert _cli(where, "--json", "init", "--weak-kdf")[0] == 0
    return where


def _trusted(where: Path) -> list[str]:
    code, out, _ = _cli(where, "--json", "trust", "list")
    assert code == 0
    data = json.loads(out)
    entries = data if isinstance(data, list) else data.get("issuers", data.get("entries", []))
    return sorted(e["id"] for e in entries)


def test_cli_proofless_credential_shows_no_trust(wallet_dir: Path, tmp_path: Path) -> None:
    assert _cli(wallet_dir, "trust", "add", COLLEGE.did, "--name", COLLEGE.name)[0] == 0
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(_unsigned()))
    code, out, _ = _cli(wallet_dir, "--json", "verify", str(path))
    report = json.loads(out)
    trust = next(c for c in report["checks"] if c["name"] == ISSUER_TRUST)
    assert (code, report["verdict"], trust["status"]) == (1, "unverifiable", "not_checked")
    signed = tmp_path / "signed.json"
    signed.write_text(json.dumps(sign(_unsigned(), COLLEGE)))
    code, out, _ = _cli(wallet_dir, "--json", "verify", str(signed))
    assert (code, json.loads(out)["verdict"]) == (0, "valid")


@pytest.mark.parametrize(
    "junk",
    [
        "https://",
        "did:",
        "did:web:bad host",
        "did:web:",
        "did:key",
        "did:web:*.example",
        "https://*.example",
        "https://user:pw@college.example",
        "https://college.example/?q=1",
        "http://college.example",
        "college.example",
    ],
)
def test_trust_add_refuses_junk(wallet_dir: Path, junk: str) -> None:
    before = _trusted(wallet_dir)
    code, out, err = _cli(wallet_dir, "trust", "add", junk)
    assert code == 2, (out, err)  # before: "Added", exit 0
    assert err.startswith("error:") and err.count("\n") == 1
    assert _trusted(wallet_dir) == before


@pytest.mark.parametrize(
    ("good", "stored"),
    [
        (COLLEGE.did, COLLEGE.did),
        ("did:web:college.example", "did:web:college.example"),
        ("did:web:example.com%3A8443", "did:web:example.com%3A8443"),
        ("https://College.Example/", "https://college.example"),
        ("https://college.example/issuers/1", "https://college.example/issuers/1"),
    ],
)
def test_trust_add_accepts_real_issuers(wallet_dir: Path, good: str, stored: str) -> None:
    assert _cli(wallet_dir, "trust", "add", good)[0] == 0
    assert _trusted(wallet_dir) == [stored]


def test_trust_file_with_one_bad_entry_is_refused_whole(wallet_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(
        json.dumps(
            {"version": 1, "issuers": [{"id": "did:web:college.example"}, {"id": "https://"}]}
        )
    )
    code, _, err = _cli(wallet_dir, "trust", "import", str(path))
    assert code == 5 and "#2" in err
    assert _trusted(wallet_dir) == []


def test_origin_entry_does_not_trust_a_lookalike_host() -> None:
    trust = TrustList((TrustEntry("https://college.example"),))
    assert trust.find("https://college.example/issuer") is not None
    assert trust.find("https://college.example.evil.com/issuer") is None


def test_junk_entry_stored_earlier_trusts_nobody() -> None:
    assert TrustList((TrustEntry("https://"),)).find("https://anyone.example/i") is None
