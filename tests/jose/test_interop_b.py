"""More interop with the reference sd-jwt library: recursive disclosures and array
elements both ways, EdDSA holders, and tampering the reference verifier must also see."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet.formats import registry
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd
from wallet.verify import keys

ISS = "https://interop-b.test"
CLAIMS: dict[str, Any] = {
    "given_name": "Ada",
    "grade": "A",
    "skills": ["sql", "python", "stats"],
    "address": {"city": "Lyon", "street": "3 Rue Cachée"},
}
PATHS = [
    "given_name",
    "grade",
    "skills.0",
    "skills.1",
    "skills.2",
    "address",
    "address.city",
    "address.street",
]


def _jwcrypto(key: Any) -> JWK:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return JWK.from_pem(pem)


def _reference_verify(text: str, issuer_jwk: dict[str, Any], aud: str, nonce: str) -> Any:
    verifier = SDJWTVerifier(
        text,
        lambda iss, header: JWK.from_json(json.dumps(issuer_jwk)),
        expected_aud=aud,
        expected_nonce=nonce,
    )
    return verifier.get_verified_payload()


@pytest.mark.parametrize("holder_kind", ["P-256", "Ed25519"])
def test_our_recursive_presentation_verifies(holder_kind: str) -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key: Any = (
        new_p256()[0] if holder_kind == "P-256" else ed25519.Ed25519PrivateKey.generate()
    )
    holder_jwk = keys.jwk_from_public_key(holder_key.public_key())
    text = present_sd.issue(CLAIMS, PATHS, issuer_key, iss=ISS, holder_jwk=holder_jwk, decoys=2)
    # address.city needs its parent disclosure (address) but not address.street.
    shown = present_sd.present(
        text, ["address.city", "skills.1"], holder_key, audience="v", nonce="n"
    )
    ours = present_sd.verify_presentation(
        shown, ctx_with_issuers({ISS: issuer_jwk}), audience="v", nonce="n"
    )
    assert {c.status for c in ours.checks} == {CheckStatus.PASSED}
    assert ours.claims["address"] == {"city": "Lyon"}
    assert ours.claims["skills"] == ["python"]
    if holder_kind == "P-256":
        # The reference SDJWTVerifier checks KB-JWTs with ES256 only (its default alg).
        payload = _reference_verify(shown, issuer_jwk, "v", "n")
        assert payload["address"] == {"city": "Lyon"}
        assert payload["skills"] == ["python"]
        assert "given_name" not in payload and "grade" not in payload


def test_presentation_of_a_reference_credential_made_by_us() -> None:
    """Issued by the reference library, presented by us, verified by both."""
    issuer_jwk = JWK.generate(kty="EC", crv="P-256")
    holder_key, _ = new_p256()
    claims = {
        "iss": ISS,
        "iat": int(time.time()),
        SDObj("given_name"): "Ada",
        "skills": [SDObj("sql"), SDObj("python"), "stats"],
        SDObj("address"): {SDObj("city"): "Lyon", SDObj("street"): "3 Rue Cachée"},
    }
    issuance = SDJWTIssuer(
        claims,
        issuer_jwk,
        holder_key=_jwcrypto(holder_key),
        sign_alg="ES256",
        add_decoy_claims=True,
    ).sd_jwt_issuance
    credential = registry.parse(issuance.encode())
    assert {"/given_name", "/skills/0", "/skills/1", "/address", "/address/city"} <= set(
        credential.disclosable
    )
    shown = present_sd.present(
        issuance, ["address.city", "skills.1"], holder_key, audience="v", nonce="n"
    )
    public = json.loads(issuer_jwk.export_public())
    payload = _reference_verify(shown, public, "v", "n")
    assert payload["address"] == {"city": "Lyon"}
    assert payload["skills"] == ["python", "stats"]
    assert "given_name" not in payload
    ours = present_sd.verify_presentation(
        shown, ctx_with_issuers({ISS: public}), audience="v", nonce="n"
    )
    assert {c.status for c in ours.checks} == {CheckStatus.PASSED}
    assert ours.claims["skills"] == ["python", "stats"]


def test_tampered_presentation_is_refused_by_both() -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    text = present_sd.issue(CLAIMS, PATHS, issuer_key, iss=ISS, holder_jwk=holder_jwk)
    shown = present_sd.present(text, ["grade"], holder_key, audience="v", nonce="n")
    # Slip in the given_name disclosure after the KB-JWT was signed.
    extra = next(d for d in text.split("~")[1:] if d and "given_name" in _decode(d))
    base, kb = shown.rsplit("~", 1)
    tampered = f"{base}~{extra}~{kb}"
    with pytest.raises(ValueError, match=r"(?i)digest|hash"):
        _reference_verify(tampered, issuer_jwk, "v", "n")
    ours = present_sd.verify_presentation(
        tampered, ctx_with_issuers({ISS: issuer_jwk}), audience="v", nonce="n"
    )
    assert {c.name: c.status for c in ours.checks}["holder_binding"] is CheckStatus.FAILED


def _decode(disclosure: str) -> str:
    import base64

    return base64.urlsafe_b64decode(disclosure + "=" * (-len(disclosure) % 4)).decode()
