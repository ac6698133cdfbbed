"""RFC 9901 vectors: disclosure digests, processing, issuer signatures, key binding."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.jose.conftest import VECTORS, jwt_payload, rfc_ctx
from wallet import engine
from wallet.formats import registry, sdjwt
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd

ISSUANCE = [
    "s5.1_sd_jwt_issuance.txt",
    "A.3_sd_jwt_vc_pid_issuance.txt",
    "A.4_w3c_vcdm2_issuance.txt",
]
STRUCTURED = ["A.1_simple_structured_presentation.txt", "A.2_complex_structured_presentation.txt"]
PRESENTATIONS = [
    "s5.2_sd_jwt_kb_presentation.txt",
    "A.3_sd_jwt_vc_pid_kb_presentation.txt",
    "A.4_w3c_vcdm2_kb_presentation.txt",
]


def test_disclosure_unit_vectors() -> None:
    units = json.loads((VECTORS / "s4.2_disclosure_unit_vectors.json").read_text())
    checked = 0
    for unit in units.values():
        if isinstance(unit, dict) and "disclosure" in unit and "sha256_b64url" in unit:
            assert sdjwt.digest_of(unit["disclosure"], "sha-256") == unit["sha256_b64url"]
            decoded = sdjwt._decode_disclosure(unit["disclosure"], "sha-256")
            assert [decoded.salt, *([decoded.name] if decoded.name else []), decoded.value] == unit[
                "array"
            ]
            checked += 1
    assert checked >= 2


def test_processed_payload_matches_the_rfc() -> None:
    expected = json.loads((VECTORS / "s5.2_expected_processed_payload.json").read_text())
    sd = sdjwt.split((VECTORS / "s5.2_sd_jwt_kb_presentation.txt").read_text())
    assert sdjwt.process(sd).claims == expected


@pytest.mark.parametrize(
    "name",
    [*ISSUANCE, *STRUCTURED],
)
def test_issuer_signature_and_disclosures_verify(name: str) -> None:
    credential = registry.parse((VECTORS / name).read_bytes())
    assert credential.format == "sd-jwt"
    report = engine.verify_credential(credential, rfc_ctx())
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]
    assert report.check("disclosures").status is CheckStatus.PASSED  # type: ignore[union-attr]
    assert credential.disclosable


def test_issuer_key_not_cached_is_unverifiable_not_invalid() -> None:
    from wallet.model import Verdict
    from wallet.verify.context import VerifyContext

    credential = registry.parse((VECTORS / "s5.1_sd_jwt_issuance.txt").read_bytes())
    report = engine.verify_credential(credential, VerifyContext())
    assert report.verdict is Verdict.UNVERIFIABLE
    assert "not cached" in report.check("signature").detail  # type: ignore[union-attr]


def test_pid_credential_is_mapped() -> None:
    credential = registry.parse((VECTORS / "A.3_sd_jwt_vc_pid_issuance.txt").read_bytes())
    assert credential.title == "urn:eudi:pid:de:1"
    assert credential.holder_jwk is not None and credential.holder_jwk["kty"] == "EC"
    assert "/address/street_address" in credential.disclosable
    assert "/nationalities" in credential.disclosable


@pytest.mark.parametrize("name", PRESENTATIONS)
def test_rfc_key_binding_presentations_verify(name: str) -> None:
    text = (VECTORS / name).read_text().strip()
    kb = jwt_payload(text.rsplit("~", 1)[1])
    at = datetime.fromtimestamp(kb["iat"], UTC)
    result = present_sd.verify_presentation(
        text, rfc_ctx(now=at), audience=kb["aud"], nonce=kb["nonce"]
    )
    statuses = {c.name: c.status for c in result.checks}
    assert statuses == {
        "signature": CheckStatus.PASSED,
        "disclosures": CheckStatus.PASSED,
        "holder_binding": CheckStatus.PASSED,
        "nonce": CheckStatus.PASSED,
        "audience": CheckStatus.PASSED,
        "freshness": CheckStatus.PASSED,
    }, [c.detail for c in result.checks]
    assert result.disclosed
