"""Class 9: a tampered SD-JWT is a credential that fails a check (`invalid`, exit 1), not
malformed input (exit 5). Exit 5 stays for input that is no credential at all."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wallet.api import Wallet, parse_credential, verify_credential
from wallet.cli import cli
from wallet.errors import MalformedInput, VerificationFailed
from wallet.issuer.demo import COLLEGE
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.store.keys import KdfParams
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

PASS = "correct horse battery staple"
CLAIMS = {"name": "Forklift Safety", "grade": "A", "credits": 2, "skills": ["lift", "stack"]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _honest() -> str:
    return present_sd.issue(
        CLAIMS, ["grade", "credits", "skills.1"], COLLEGE.key, iss=COLLEGE.did,
        kid=COLLEGE.verification_method,
    )


def _stray_disclosure() -> str:
    return _b64(json.dumps(["salt-never-signed", "licence", "Registered Nurse"]).encode())


def _tampered() -> dict[str, str]:
    honest = _honest()
    jwt, first, *rest = honest.split("~")
    return {
        "unreferenced": honest + _stray_disclosure() + "~",
        "duplicated": "~".join([jwt, first, first, *rest]),
        "undecodable": honest + "!!not-base64!!~",
        "not_an_array": honest + _b64(b'{"a": 1}') + "~",
    }


def _ctx() -> VerifyContext:
    return VerifyContext(trust=TrustList((TrustEntry(COLLEGE.did, COLLEGE.name),)))


def _run(wallet: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(
        cli, ["--wallet", str(wallet), *args], env={"WALLET_PASSPHRASE": PASS},
        catch_exceptions=False,
    )
    return r.exit_code, r.stdout, r.stderr


def test_honest_sdjwt_is_valid_through_the_api() -> None:
    report = verify_credential(parse_credential(_honest().encode()), _ctx())
    assert report.verdict is Verdict.VALID
    assert report.check("disclosures").status is CheckStatus.PASSED


@pytest.mark.parametrize("kind", sorted(_tampered()))
def test_tampered_sdjwt_is_invalid_through_the_api(kind: str) -> None:
    credential = parse_credential(_tampered()[kind].encode())
    report = verify_credential(credential, _ctx())
    assert report.verdict is Verdict.INVALID
    assert report.check("disclosures").status is CheckStatus.FAILED
    # Only what the issuer signed in the clear is shown: no disclosure is trusted.
    shown = dict(credential.subject.claims)
    assert shown == {"/name": "Forklift Safety", "/skills/0": '"lift"'}
    assert credential.disclosable == ()


def test_import_refuses_a_tampered_sdjwt_and_keeps_an_honest_one(tmp_path: Path) -> None:
    wallet, _ = Wallet.create(tmp_path / "w", PASS, kdf=KdfParams.for_tests(), allow_weak=True)
    for text in _tampered().values():
        with pytest.raises(VerificationFailed, match="disclosures"):
            wallet.import_bytes(text.encode())
    assert wallet.list() == []
    wallet.import_bytes(_honest().encode())
    assert len(wallet.list()) == 1
    wallet.close()


def test_cli_verify_and_import_say_invalid_with_exit_1(tmp_path: Path) -> None:
    wallet = tmp_path / "w"
    assert _run(wallet, "init", "--weak-kdf")[0] == 0
    assert _run(wallet, "trust", "add", COLLEGE.did)[0] == 0
    honest = tmp_path / "honest.sdjwt"
    honest.write_text(_honest())
    code, out, _ = _run(wallet, "--json", "verify", str(honest))
    assert code == 0 and json.loads(out)["verdict"] == "valid"
    for kind, text in _tampered().items():
        path = tmp_path / f"{kind}.sdjwt"
        path.write_text(text)
        code, out, err = _run(wallet, "--json", "verify", str(path))
        assert code == 1, (kind, err)
        result = json.loads(out)
        assert result["verdict"] == "invalid"
        failed = {c["name"] for c in result["checks"] if c["status"] == "failed"}
        assert failed == {"disclosures"}
        code, out, err = _run(wallet, "--json", "import", str(path))
        (refused,) = json.loads(out)["results"]
        assert code == 1 and refused["code"] == "verification_failed"
        assert "disclosures" in refused["error"] and err.count("\n") == 1
    assert json.loads(_run(wallet, "--json", "list")[1]) == {"credentials": []}


def test_cli_verify_presentation_agrees(tmp_path: Path) -> None:
    wallet = tmp_path / "w"
    assert _run(wallet, "init", "--weak-kdf")[0] == 0
    path = tmp_path / "dup.sdjwt"
    path.write_text(_tampered()["duplicated"])
    code, out, _ = _run(wallet, "--json", "verify-presentation", str(path),
                        "--audience", "a", "--nonce", "n")
    assert code == 1 and json.loads(out)["verdict"] == "invalid"


def test_input_that_is_no_credential_stays_malformed(tmp_path: Path) -> None:
    not_a_jwt = "this is not a jwt~" + _stray_disclosure() + "~"
    for text in (not_a_jwt, "plain words", _honest().rstrip("~")):
        with pytest.raises(MalformedInput):
            parse_credential(text.encode())
    wallet = tmp_path / "w"
    assert _run(wallet, "init", "--weak-kdf")[0] == 0
    path = tmp_path / "junk.sdjwt"
    path.write_text(not_a_jwt)
    code, _, err = _run(wallet, "verify", str(path))
    assert code == 5 and err.count("\n") == 1

