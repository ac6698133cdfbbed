"""Strict JWS and VC-JWT: the algorithm and header attacks the issue names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from tests.jose.conftest import ctx_with_issuers
from wallet import engine
from wallet.formats import registry
from wallet.issuer.samples import DemoIssuer, ob3_credential
from wallet.model import CheckStatus, Verdict
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

ISSUER = DemoIssuer.p256("Bootcamp", "https://bootcamp.test", "bootcamp-test")
ED_ISSUER = DemoIssuer.ed25519("Ed Bootcamp", "https://ed.test", "ed-test")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vc_payload(issuer: DemoIssuer = ISSUER) -> dict[str, Any]:
    doc = ob3_credential(
        issuer,
        credential_id="py",
        subject_id="did:example:sam",
        subject_name="Sam",
        achievement_name="Python Bootcamp",
        description="Twelve weeks of Python.",
        criteria="Capstone.",
    )
    return {
        "iss": issuer.did,
        "sub": "did:example:sam",
        "nbf": 1767225600,
        "jti": "urn:uuid:1",
        "vc": doc,
    }


def signed(
    payload: dict[str, Any] | None = None, issuer: DemoIssuer = ISSUER, **headers: Any
) -> str:
    return jws.sign_compact(
        payload or vc_payload(issuer),
        issuer.key,
        headers={"kid": issuer.verification_method, **headers},
    )


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature)]
    )


def signature_check(token: str, ctx: VerifyContext | None = None) -> tuple[CheckStatus, str]:
    credential = registry.parse(token.encode())
    report = engine.verify_credential(credential, ctx or VerifyContext())
    check = report.check("signature")
    assert check is not None
    return check.status, check.detail


@pytest.mark.parametrize("issuer", [ISSUER, ED_ISSUER], ids=["ES256", "EdDSA"])
def test_vc_jwt_verifies_and_normalizes(issuer: DemoIssuer) -> None:
    token = signed(issuer=issuer)
    credential = registry.parse(token.encode())
    assert credential.format == "vc-jwt"
    assert credential.title == "Python Bootcamp"
    assert credential.issuer.id == issuer.did
    report = engine.verify_credential(credential, VerifyContext())
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_vc_jose_vc_plus_jwt() -> None:
    token = jws.sign_compact(
        vc_payload()["vc"], ISSUER.key, headers={"kid": ISSUER.verification_method, "typ": "vc+jwt"}
    )
    credential = registry.parse(token.encode())
    assert credential.media_type == "application/vc+jwt"
    assert signature_check(token)[0] is CheckStatus.PASSED


def test_alg_none_is_invalid() -> None:
    token = unsigned({"alg": "none", "kid": ISSUER.verification_method}, vc_payload())
    status, detail = signature_check(token)
    assert status is CheckStatus.FAILED and "alg none" in detail


def test_hs256_with_the_public_key_as_secret_is_invalid() -> None:
    public_pem = ISSUER.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": ISSUER.verification_method}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(vc_payload()).encode())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    status, detail = signature_check(f"{signing_input}.{b64(mac)}")
    assert status is CheckStatus.FAILED and "HS256" in detail


def test_algorithm_off_the_allow_list() -> None:
    key = ec.generate_private_key(ec.SECP521R1())
    header = {"alg": "ES512", "kid": ISSUER.verification_method}
    token = unsigned(header, vc_payload(), b"x" * 132)
    assert signature_check(token)[0] is CheckStatus.FAILED
    del key


def test_crit_header_not_understood() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    header = {"alg": "ES256", "kid": ISSUER.verification_method, "crit": ["exp"], "exp": 1}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(vc_payload()).encode())}"
    assert isinstance(ISSUER.key, ec.EllipticCurvePrivateKey)
    r, s = decode_dss_signature(ISSUER.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    status, detail = signature_check(token)
    assert status is CheckStatus.FAILED and "critical" in detail


def test_kid_of_another_did_is_invalid() -> None:
    other = DemoIssuer.p256("Other", "https://other.test", "other")
    token = jws.sign_compact(vc_payload(), other.key, headers={"kid": other.verification_method})
    status, detail = signature_check(token)
    assert status is CheckStatus.FAILED and "not to the issuer" in detail


def test_signature_by_another_key_under_the_issuers_kid() -> None:
    other = DemoIssuer.p256("Other", "https://other.test", "other")
    token = jws.sign_compact(vc_payload(), other.key, headers={"kid": ISSUER.verification_method})
    status, detail = signature_check(token)
    assert status is CheckStatus.FAILED and "does not match" in detail


def test_https_issuer_kid_mismatch_and_cached_keys() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    jwk = {**keys.jwk_from_public_key(key.public_key()), "kid": "k1"}
    iss = "https://issuer.test"
    ctx = ctx_with_issuers({iss: jwk})
    payload = {**vc_payload(), "iss": iss}
    payload["vc"] = {**payload["vc"], "issuer": iss}
    good = jws.sign_compact(payload, key, headers={"kid": "k1"})
    assert signature_check(good, ctx)[0] is CheckStatus.PASSED
    wrong_kid = jws.sign_compact(payload, key, headers={"kid": "k2"})
    status, detail = signature_check(wrong_kid, ctx)
    assert status is CheckStatus.FAILED and "no key with kid k2" in detail
    # Not cached at all: could not be checked, which is not the same as invalid.
    assert signature_check(good)[0] is CheckStatus.NOT_CHECKED


def test_embedded_header_key_is_not_trusted() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    payload = vc_payload()
    payload.pop("iss")
    payload["vc"] = {**payload["vc"], "issuer": "urn:example:nobody"}
    token = jws.sign_compact(
        payload, key, headers={"jwk": keys.jwk_from_public_key(key.public_key())}
    )
    assert signature_check(token)[0] is CheckStatus.NOT_CHECKED


def test_iss_and_vc_issuer_must_agree() -> None:
    payload = vc_payload()
    payload["vc"] = {**payload["vc"], "issuer": "did:example:someone-else"}
    status, detail = signature_check(signed(payload))
    assert status is CheckStatus.FAILED and "differs" in detail


def test_detached_payload_is_refused() -> None:
    from wallet.errors import MalformedInput

    header, _, signature = signed().split(".")
    with pytest.raises(MalformedInput, match="detached"):
        registry.parse(f"{header}..{signature}".encode())


@pytest.mark.parametrize("alg", ["ES384", "RS256"])
def test_es384_and_rs256_issuers_with_cached_keys(alg: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key: Any = (
        ec.generate_private_key(ec.SECP384R1())
        if alg == "ES384"
        else rsa.generate_private_key(65537, 2048)
    )
    iss = f"https://{alg.lower()}.test"
    jwk = {**keys.jwk_from_public_key(key.public_key()), "kid": "k1"}
    payload = {**vc_payload(), "iss": iss}
    payload["vc"] = {**payload["vc"], "issuer": iss}
    token = jws.sign_compact(payload, key, alg, headers={"kid": "k1"})
    assert signature_check(token, ctx_with_issuers({iss: jwk}))[0] is CheckStatus.PASSED
    other = (
        ec.generate_private_key(ec.SECP384R1())
        if alg == "ES384"
        else rsa.generate_private_key(65537, 2048)
    )
    forged = jws.sign_compact(payload, other, alg, headers={"kid": "k1"})
    assert signature_check(forged, ctx_with_issuers({iss: jwk}))[0] is CheckStatus.FAILED
