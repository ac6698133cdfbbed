"""The presentation API: verify_presentation unpacks as (credential, checks, claims)."""

from __future__ import annotations

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd

ISS = "https://api-issuer.test"


def test_verify_presentation_unpacks_to_credential_checks_and_claims() -> None:
    key, jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    token = present_sd.issue(
        {"name": "Sam", "grade": "A", "email": "sam@example.org"},
        ["name", "grade", "email"],
        key,
        iss=ISS,
        holder_jwk=holder_jwk,
        decoys=2,
    )
    text = present_sd.present(token, ["grade"], holder_key, audience="v", nonce="n1")
    credential, checks, claims = present_sd.verify_presentation(
        text, ctx_with_issuers({ISS: jwk}), audience="v", nonce="n1"
    )
    assert credential is not None and credential.format == "sd-jwt"
    assert {c.name for c in checks} >= {
        "signature",
        "disclosures",
        "holder_binding",
        "nonce",
        "audience",
        "freshness",
    }
    assert all(c.status is CheckStatus.PASSED for c in checks)
    assert claims["grade"] == "A"
    assert "name" not in claims and "email" not in claims
    assert b"sam@example.org" not in text.encode()
