"""Interop with the reference implementation (sd-jwt, a test-only dependency), both ways."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import engine
from wallet.formats import registry
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import keys

ISS = "https://reference-issuer.test"


def _jwcrypto_private(key: Any) -> JWK:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return JWK.from_pem(pem)


def _reference_credential(holder_jwk: JWK | None) -> tuple[str, dict[str, Any]]:
    issuer_jwk = JWK.generate(kty="EC", crv="P-256")
    claims = {
        "iss": ISS,
        "iat": int(time.time()),
        SDObj("given_name"): "Sam",
        SDObj("family_name"): "Learner",
        SDObj("grade"): "A",
        "skills": [SDObj("sql"), "python"],
        "address": {SDObj("city"): "Toronto", SDObj("street"): "12 Lane"},
    }
    issuer = SDJWTIssuer(
        claims, issuer_jwk, holder_key=holder_jwk, sign_alg="ES256", add_decoy_claims=True
    )
    return issuer.sd_jwt_issuance, json.loads(issuer_jwk.export_public())


def test_reference_issued_credential_verifies_with_ours() -> None:
    for holder in (None, JWK.generate(kty="EC", crv="P-256")):
        text, issuer_public = _reference_credential(holder)
        credential = registry.parse(text.encode())
        report = engine.verify_credential(credential, ctx_with_issuers({ISS: issuer_public}))
        assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER, report.to_dict()
        assert {"/given_name", "/family_name", "/grade", "/skills/0", "/address/city"} <= set(
            credential.disclosable
        )
        assert (credential.holder_jwk is not None) == (holder is not None)


def test_our_presentation_verifies_with_the_reference_verifier() -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    text = present_sd.issue(
        {"given_name": "Sam", "grade": "A", "email": "s@example.org"},
        ["given_name", "grade", "email"],
        issuer_key,
        iss=ISS,
        holder_jwk=holder_jwk,
        decoys=2,
    )
    presentation = present_sd.present(text, ["grade"], holder_key, audience="Acme", nonce="n-123")
    verifier = SDJWTVerifier(
        presentation,
        lambda iss, header: JWK.from_json(json.dumps(issuer_jwk)),
        expected_aud="Acme",
        expected_nonce="n-123",
    )
    payload = verifier.get_verified_payload()
    assert payload["grade"] == "A"
    assert "given_name" not in payload and "email" not in payload


def test_reference_presentation_verifies_with_ours() -> None:
    holder_key, holder_public = new_p256()
    holder_jwk = _jwcrypto_private(holder_key)
    text, issuer_public = _reference_credential(holder_jwk)
    holder = SDJWTHolder(text)
    holder.create_presentation(
        {"grade": True, "address": {"city": True}},
        nonce="n-9",
        aud="Acme",
        holder_key=holder_jwk,
        sign_alg="ES256",
    )
    result = present_sd.verify_presentation(
        holder.sd_jwt_presentation,
        ctx_with_issuers({ISS: issuer_public}, now=datetime.now(UTC)),
        audience="Acme",
        nonce="n-9",
    )
    assert {c.name: c.status for c in result.checks} == {
        "signature": CheckStatus.PASSED,
        "disclosures": CheckStatus.PASSED,
        "holder_binding": CheckStatus.PASSED,
        "nonce": CheckStatus.PASSED,
        "audience": CheckStatus.PASSED,
        "freshness": CheckStatus.PASSED,
    }, [c.detail for c in result.checks]
    assert result.claims["grade"] == "A"
    assert result.claims["address"] == {"city": "Toronto"}
    assert "given_name" not in result.claims
    assert keys.jwk_from_public_key(holder_key.public_key()) == {
        k: holder_public[k] for k in ("kty", "crv", "x", "y")
    }


def test_reference_presentation_through_the_cli(tmp_path: Any) -> None:
    """`wallet verify-presentation` on a presentation made by the reference library."""
    from click.testing import CliRunner

    from tests.jose.conftest import metadata_url
    from wallet.cli import cli

    holder_key, _ = new_p256()
    holder_jwk = _jwcrypto_private(holder_key)
    text, issuer_public = _reference_credential(holder_jwk)
    holder = SDJWTHolder(text)
    holder.create_presentation(
        {"grade": True}, nonce="n-cli", aud="Acme", holder_key=holder_jwk, sign_alg="ES256"
    )
    presentation = tmp_path / "from-reference.txt"
    presentation.write_text(holder.sd_jwt_presentation)
    metadata = tmp_path / "issuer-metadata.json"
    metadata.write_text(json.dumps({"issuer": ISS, "jwks": {"keys": [issuer_public]}}))

    runner = CliRunner()
    env = {"WALLET_PASSPHRASE": "verifier passphrase"}
    base = ["--wallet", str(tmp_path / "verifier")]
    for args in (
        ["init", "--weak-kdf"],
        ["cache", "add", metadata_url(ISS), str(metadata)],
        ["trust", "add", ISS],
    ):
        assert runner.invoke(cli, [*base, *args], env=env).exit_code == 0
    result = runner.invoke(
        cli,
        [
            *base,
            "--json",
            "verify-presentation",
            str(presentation),
            "--audience",
            "Acme",
            "--nonce",
            "n-cli",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    item = json.loads(result.stdout)["credentials"][0]
    assert item["verdict"] == "valid" and item["claims"]["grade"] == "A"
    assert "given_name" not in item["claims"]
