"""SD-JWT hash and signature algorithms, DID issuers, and attacks on the key-binding JWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.jose.conftest import ctx_with_issuers, jwt_payload, new_p256
from wallet import engine
from wallet.errors import MalformedInput
from wallet.formats import registry, sdjwt
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

ISS = "https://algs.test"
CLAIMS = {"given_name": "Sam", "grade": "B+", "skills": ["sql", "r"]}
PATHS = ["given_name", "grade", "skills.1"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _statuses(checks: list[Any]) -> dict[str, CheckStatus]:
    return {c.name: c.status for c in checks}


@pytest.mark.parametrize("hash_name", ["sha-256", "sha-384", "sha-512"])
def test_each_sd_alg_round_trips(hash_name: str) -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    text = present_sd.issue(
        CLAIMS, PATHS, issuer_key, iss=ISS, holder_jwk=holder_jwk, hash_name=hash_name
    )
    assert jwt_payload(text.split("~")[0])["_sd_alg"] == hash_name
    ctx = ctx_with_issuers({ISS: issuer_jwk})
    report = engine.verify_credential(registry.parse(text.encode()), ctx)
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER, report.to_dict()
    shown = present_sd.present(text, ["grade"], holder_key, audience="v", nonce="n")
    kb = jwt_payload(shown.rsplit("~", 1)[1])
    assert kb["sd_hash"] == sdjwt.digest_of(shown.rsplit("~", 1)[0] + "~", hash_name)
    result = present_sd.verify_presentation(shown, ctx, audience="v", nonce="n")
    assert set(_statuses(result.checks).values()) == {CheckStatus.PASSED}
    assert result.claims["grade"] == "B+" and "given_name" not in result.claims


def test_unknown_sd_alg_is_malformed() -> None:
    issuer_key, _ = new_p256()
    payload = {"iss": ISS, "_sd_alg": "md5", "_sd": []}
    text = jws.sign_compact(payload, issuer_key, headers={"typ": "dc+sd-jwt"}) + "~"
    with pytest.raises(MalformedInput, match="_sd_alg"):
        registry.parse(text.encode())


def test_did_jwk_ed25519_issuer_verifies_offline() -> None:
    issuer_key = ed25519.Ed25519PrivateKey.generate()
    jwk = keys.jwk_from_public_key(issuer_key.public_key())
    did = "did:jwk:" + _b64(json.dumps(jwk).encode())
    text = present_sd.issue(CLAIMS, PATHS, issuer_key, iss=did, kid=f"{did}#0")
    report = engine.verify_credential(registry.parse(text.encode()), VerifyContext())
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]

    # The same credential claiming a different did:jwk issuer is refused.
    _, other_jwk = new_p256()
    other = "did:jwk:" + _b64(json.dumps(other_jwk).encode())
    forged = present_sd.issue(CLAIMS, PATHS, issuer_key, iss=other, kid=f"{did}#0")
    report = engine.verify_credential(registry.parse(forged.encode()), VerifyContext())
    assert report.verdict is Verdict.INVALID


def _rebuilt_kb(presentation: str, header: dict[str, Any], sign: Any) -> str:
    """Replace the KB-JWT with one carrying the same claims under another header/signature."""
    base, kb = presentation.rsplit("~", 1)
    head = _b64(json.dumps(header).encode())
    body = kb.split(".")[1]
    return f"{base}~{head}.{body}.{_b64(sign(f'{head}.{body}'.encode()))}"


@pytest.fixture(scope="module")
def presented() -> dict[str, Any]:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    text = present_sd.issue(CLAIMS, PATHS, issuer_key, iss=ISS, holder_jwk=holder_jwk)
    return {
        "text": present_sd.present(text, ["grade"], holder_key, audience="v", nonce="n"),
        "ctx": ctx_with_issuers({ISS: issuer_jwk}),
        "holder_jwk": holder_jwk,
        "holder_key": holder_key,
    }


def test_kb_jwt_alg_none_fails_holder_binding(presented: dict[str, Any]) -> None:
    forged = _rebuilt_kb(presented["text"], {"alg": "none", "typ": "kb+jwt"}, lambda _: b"")
    result = present_sd.verify_presentation(forged, presented["ctx"], audience="v", nonce="n")
    assert _statuses(result.checks)["holder_binding"] is CheckStatus.FAILED


def test_kb_jwt_hs256_with_the_holder_public_key_fails(presented: dict[str, Any]) -> None:
    secret = json.dumps(presented["holder_jwk"]).encode()
    forged = _rebuilt_kb(
        presented["text"],
        {"alg": "HS256", "typ": "kb+jwt"},
        lambda msg: hmac.new(secret, msg, hashlib.sha256).digest(),
    )
    result = present_sd.verify_presentation(forged, presented["ctx"], audience="v", nonce="n")
    assert _statuses(result.checks)["holder_binding"] is CheckStatus.FAILED


def test_kb_jwt_with_the_wrong_typ_fails(presented: dict[str, Any]) -> None:
    # Signed by the right holder key: only the typ is wrong.
    base, kb = presented["text"].rsplit("~", 1)
    resigned = jws.sign_compact(jwt_payload(kb), presented["holder_key"], headers={"typ": "JWT"})
    result = present_sd.verify_presentation(
        f"{base}~{resigned}", presented["ctx"], audience="v", nonce="n"
    )
    holder_binding = next(c for c in result.checks if c.name == "holder_binding")
    assert holder_binding.status is CheckStatus.FAILED and "typ" in holder_binding.detail


def test_issuer_jwt_under_hs256_is_invalid() -> None:
    _, issuer_jwk = new_p256()
    payload = {"iss": ISS, "_sd_alg": "sha-256", "grade": "A"}
    head = _b64(json.dumps({"alg": "HS256", "typ": "dc+sd-jwt"}).encode())
    body = _b64(json.dumps(payload).encode())
    mac = hmac.new(json.dumps(issuer_jwk).encode(), f"{head}.{body}".encode(), hashlib.sha256)
    text = f"{head}.{body}.{_b64(mac.digest())}~"
    report = engine.verify_credential(
        registry.parse(text.encode()), ctx_with_issuers({ISS: issuer_jwk})
    )
    assert report.check("signature").status is CheckStatus.FAILED  # type: ignore[union-attr]
    assert report.verdict is Verdict.INVALID
