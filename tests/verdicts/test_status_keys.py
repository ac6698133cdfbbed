"""Issue 7, class 4: a status list token's key is resolved as the credential issuer's own
(jwt-vc-issuer metadata of its origin), so an https issuer's revocation counts."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec

from wallet.api import parse_credential, verify_credential
from wallet.cli import cli
from wallet.model import STATUS, CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws, keys
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

ISS = "https://issuer.example"
META = "https://issuer.example/.well-known/jwt-vc-issuer"
LIST = "https://issuer.example/status/1"
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER = ec.generate_private_key(ec.SECP256R1())


def _metadata() -> bytes:
    jwk = dict(keys.jwk_from_public_key(KEY.public_key()), kid="k1")
    return json.dumps({"issuer": ISS, "jwks": {"keys": [jwk]}}).encode()


def _token(revoked: bool, key: ec.EllipticCurvePrivateKey = KEY) -> bytes:
    data = bytearray(16)
    if revoked:
        data[0] = 1  # index 0, one bit, least significant first
    lst = base64.urlsafe_b64encode(zlib.compress(bytes(data))).rstrip(b"=").decode()
    payload = {"sub": LIST, "iat": 1_700_000_000, "status_list": {"bits": 1, "lst": lst}}
    headers = {"typ": "statuslist+jwt", "kid": "k1"}
    return jws.sign_compact(payload, key, headers=headers).encode()


def _credential() -> bytes:
    claims = {
        "vct": "https://issuer.example/vct",
        "name": "Licence",
        "given_name": "Alice",
        "status": {"status_list": {"idx": 0, "uri": LIST}},
    }
    return present_sd.issue(claims, ["given_name"], KEY, iss=ISS, kid="k1").encode()


def _ctx(token: bytes) -> VerifyContext:
    now = datetime.now(UTC)
    cache = MemoryCache(
        {u: CachedDocument(u, d, now) for u, d in {META: _metadata(), LIST: token}.items()}
    )
    return VerifyContext(cache=cache, now=now)


def test_revoked_https_issuer_is_invalid() -> None:
    report = verify_credential(parse_credential(_credential()), _ctx(_token(True)))
    assert report.check(STATUS).status is CheckStatus.FAILED, report.check(STATUS)
    assert report.verdict is Verdict.INVALID


def test_not_revoked_control_passes() -> None:
    report = verify_credential(parse_credential(_credential()), _ctx(_token(False)))
    assert report.check(STATUS).status is CheckStatus.PASSED, report.check(STATUS)
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_list_signed_by_another_key_never_passes() -> None:
    for revoked in (True, False):
        report = verify_credential(parse_credential(_credential()), _ctx(_token(revoked, OTHER)))
        assert report.check(STATUS).status is not CheckStatus.PASSED


def test_cli_revoked_and_control(tmp_path: Path) -> None:
    runner = CliRunner()
    wallet = str(tmp_path / "w")
    env = {"WALLET_PASSPHRASE": "correct horse battery staple"}

    def run(*args: str):
        return runner.invoke(cli, ["--wallet", wallet, *args], env=env, catch_exceptions=False)

    assert run("--json", "init", "--weak-kdf").exit_code == 0
    files = {"meta": _metadata(), "cred": _credential(), "rev": _token(True), "ok": _token(False)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert run("cache", "add", META, str(tmp_path / "meta")).exit_code == 0
    assert run("trust", "add", ISS).exit_code == 0
    assert run("cache", "add", LIST, str(tmp_path / "rev")).exit_code == 0
    result = run("--json", "verify", str(tmp_path / "cred"))
    assert result.exit_code == 1 and json.loads(result.stdout)["verdict"] == "invalid"
    assert run("cache", "add", LIST, str(tmp_path / "ok")).exit_code == 0
    result = run("--json", "verify", str(tmp_path / "cred"))
    assert json.loads(result.stdout)["verdict"] == "valid", result.stdout
    assert result.exit_code == 0
