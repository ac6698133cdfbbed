"""More vector coverage: A.5 key sources, sd-jwt-python test cases, sd-jwt-js recursions."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.utils.yaml_specification import load_yaml_specification

from tests.jose.conftest import VECTORS, ctx_with_issuers, new_p256, rfc_issuer_jwk
from wallet import engine
from wallet.errors import MalformedInput
from wallet.formats import registry, sdjwt
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

RFC_ISS = "https://issuer.example.com"
ENVELOPE = {"iss", "iat", "nbf", "exp", "cnf", "_sd_alg"}
ALL_PASSED = dict.fromkeys(
    ["signature", "disclosures", "holder_binding", "nonce", "audience", "freshness"],
    CheckStatus.PASSED,
)


def _ctx(documents: dict[str, Any]) -> VerifyContext:
    cache = MemoryCache()
    for url, body in documents.items():
        cache.put(CachedDocument(url, json.dumps(body).encode(), datetime.now(UTC)))
    return VerifyContext(cache=cache)


def _signature(ctx: VerifyContext) -> tuple[CheckStatus, str]:
    credential = registry.parse((VECTORS / "s5.1_sd_jwt_issuance.txt").read_bytes())
    check = engine.verify_credential(credential, ctx).check("signature")
    assert check is not None
    return check.status, check.detail


# -- RFC 9901 A.5 issuer key through each offline source ------------------------------


def test_a5_key_from_a_cached_plain_jwks() -> None:
    jwks = {"keys": [rfc_issuer_jwk()]}
    ctx = _ctx({f"{RFC_ISS}/.well-known/jwks.json": jwks})
    assert _signature(ctx)[0] is CheckStatus.PASSED


def test_a5_key_through_metadata_jwks_uri() -> None:
    ctx = _ctx(
        {
            f"{RFC_ISS}/.well-known/jwt-vc-issuer": {
                "issuer": RFC_ISS,
                "jwks_uri": "https://keys.example.com/issuer.json",
            },
            "https://keys.example.com/issuer.json": {"keys": [rfc_issuer_jwk()]},
        }
    )
    assert _signature(ctx)[0] is CheckStatus.PASSED


def test_metadata_for_another_issuer_is_refused() -> None:
    ctx = _ctx(
        {
            f"{RFC_ISS}/.well-known/jwt-vc-issuer": {
                "issuer": "https://someone-else.example",
                "jwks": {"keys": [rfc_issuer_jwk()]},
            }
        }
    )
    assert _signature(ctx)[0] is CheckStatus.FAILED


def test_a5_position_taken_by_another_key_fails() -> None:
    _, other = new_p256()
    assert _signature(ctx_with_issuers({RFC_ISS: other}))[0] is CheckStatus.FAILED


def test_a2_complex_structure_is_processed() -> None:
    sd = sdjwt.split((VECTORS / "A.2_complex_structured_presentation.txt").read_text())
    claims = sdjwt.process(sd).claims
    # A.2: every disclosure is presented, so the nested structure comes back whole.
    assert isinstance(claims["verified_claims"], dict)
    assert "claims" in claims["verified_claims"]
    assert "_sd" not in json.dumps(claims)


# -- sd-jwt-python test cases (issued and presented by the reference library) ---------

PY_CASES = VECTORS / "sd-jwt-python"


@pytest.mark.parametrize("case", ["array_recursive_sd", "key_binding"])
def test_sd_jwt_python_testcase(case: str) -> None:
    spec = load_yaml_specification(PY_CASES / case / "specification.yml")
    issuer_jwk = JWK.generate(kty="EC", crv="P-256")
    holder_jwk = JWK.generate(kty="EC", crv="P-256") if spec.get("key_binding") else None
    iss = "https://py-issuer.test"
    claims = {"iss": iss, "iat": int(time.time()), **spec["user_claims"]}
    issuer = SDJWTIssuer(claims, issuer_jwk, holder_key=holder_jwk, sign_alg="ES256")
    holder = SDJWTHolder(issuer.sd_jwt_issuance)
    ctx = ctx_with_issuers({iss: json.loads(issuer_jwk.export_public())})

    # The issuance itself verifies with every disclosure.
    report = engine.verify_credential(registry.parse(issuer.sd_jwt_issuance.encode()), ctx)
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]
    assert report.check("disclosures").status is CheckStatus.PASSED  # type: ignore[union-attr]

    if holder_jwk is not None:
        holder.create_presentation(
            spec["holder_disclosed_claims"],
            nonce="py-nonce",
            aud="py-verifier",
            holder_key=holder_jwk,
            sign_alg="ES256",
        )
        result = present_sd.verify_presentation(
            holder.sd_jwt_presentation, ctx, audience="py-verifier", nonce="py-nonce"
        )
        assert {c.name: c.status for c in result.checks} == ALL_PASSED
        seen = result.claims
    else:
        holder.create_presentation(spec["holder_disclosed_claims"])
        seen = sdjwt.process(sdjwt.split(holder.sd_jwt_presentation)).claims
    assert {k: v for k, v in seen.items() if k not in ENVELOPE} == spec[
        "expect_verified_user_claims"
    ]


# -- sd-jwt-js recursions: our issuer and presenter on their frames -------------------


def _frame_paths(frame: dict[str, Any], prefix: str = "") -> list[str]:
    """sd-jwt-js disclosure frames ({"_sd": [keys], key: subframe}) as JSON Pointers."""
    paths: list[str] = []
    for key, sub in frame.items():
        if key == "_sd":
            paths.extend(f"{prefix}/{k}" for k in sub)
        else:
            paths.extend(_frame_paths(sub, f"{prefix}/{key}"))
    return paths


def test_sd_jwt_js_recursions_with_our_issuer_and_presenter() -> None:
    case = json.loads((VECTORS / "sd-jwt-js" / "recursions.json").read_text())
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    iss = "https://js-issuer.test"
    text = present_sd.issue(
        case["claims"],
        _frame_paths(case["disclosureFrame"]),
        issuer_key,
        iss=iss,
        holder_jwk=holder_jwk,
        decoys=3,
    )
    credential = registry.parse(text.encode())
    assert set(_frame_paths(case["disclosureFrame"])) == set(credential.disclosable)

    presentation = present_sd.present(
        text, case["requiredClaimKeys"], holder_key, audience="js", nonce="n"
    )
    result = present_sd.verify_presentation(
        presentation, ctx_with_issuers({iss: issuer_jwk}), audience="js", nonce="n"
    )
    assert {c.name: c.status for c in result.checks} == ALL_PASSED
    assert {k: v for k, v in result.claims.items() if k not in ENVELOPE} == case["presentedClaims"]
    # The undisclosed values never travel: snake/bird names, foo.0, bar.red.
    readable = _decoded_parts(presentation)
    for secret in (b'"python"', b'"eagle"', b'"one"', b'"red"', b'"name"'):
        assert secret not in readable, secret


def _decoded_parts(presentation: str) -> bytes:
    """Every part of a presentation, base64url-decoded, joined: what a verifier can read."""
    import base64

    out = []
    for part in presentation.replace("~", ".").split("."):
        if part:
            out.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return b"\n".join(out)


def test_processed_claims_of_text_credential_and_wrong_format() -> None:
    expected = json.loads((VECTORS / "s5.2_expected_processed_payload.json").read_text())
    text = (VECTORS / "s5.2_sd_jwt_kb_presentation.txt").read_text()
    assert sdjwt.processed_claims(text) == expected
    assert sdjwt.processed_claims(text.encode()) == expected
    issuance = registry.parse((VECTORS / "s5.1_sd_jwt_issuance.txt").read_bytes())
    full = sdjwt.processed_claims(issuance)
    # The issuance form carries every disclosure: more than the 5.2 presentation shows.
    assert set(expected) < set(full)
    assert full["nationalities"] == ["US", "DE"] and expected["nationalities"] == ["US"]
    assert "_sd" not in json.dumps(full) and "_sd_alg" not in full
    issuer_key, _ = new_p256()
    vc_jwt_credential = registry.parse(
        jws.sign_compact(
            {"iss": "did:example:x", "vc": {"type": ["VerifiableCredential"]}}, issuer_key
        ).encode()
    )
    with pytest.raises(MalformedInput, match="not an SD-JWT"):
        sdjwt.processed_claims(vc_jwt_credential)
