"""Deeply nested disclosures: refused with a wallet error, never a RecursionError."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet.errors import MalformedInput
from wallet.formats import sdjwt
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd
from wallet.verify import jws

ISS = "https://nesting-issuer.test"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _chain(levels: int) -> tuple[str, dict[str, object]]:
    """An issuer-signed SD-JWT whose claim ``c`` hides ``c`` hides ``c``... ``levels`` deep."""
    key, jwk = new_p256()
    disclosures: list[str] = []
    inner: str | None = None
    for i in range(levels):
        value: object = {"_sd": [inner]} if inner else "leaf"
        text = _b64(json.dumps([f"salt{i}", "c", value]).encode())
        disclosures.append(text)
        inner = _b64(hashlib.sha256(text.encode()).digest())
    token = jws.sign_compact({"iss": ISS, "_sd": [inner]}, key, headers={"typ": "dc+sd-jwt"})
    return token + "~" + "~".join(disclosures) + "~", jwk


def test_moderate_nesting_is_processed() -> None:
    text, _ = _chain(20)
    credential = sdjwt.parse(text.encode())
    assert len(credential.disclosable) == 20
    assert "/c" * 20 in credential.disclosable


@pytest.mark.parametrize("levels", [sdjwt.MAX_NESTING + 5, sdjwt.MAX_DISCLOSURES - 1])
def test_deep_disclosure_chain_is_malformed(levels: int) -> None:
    text, _ = _chain(levels)
    with pytest.raises(MalformedInput, match="nested deeper"):
        sdjwt.parse(text.encode())


def test_deep_disclosure_chain_fails_the_disclosures_check() -> None:
    text, jwk = _chain(sdjwt.MAX_DISCLOSURES - 1)
    ctx = ctx_with_issuers({ISS: jwk})
    checks = {c.name: c.status for c in sdjwt.issuer_checks(sdjwt.split(text), ctx)}
    assert checks["signature"] is CheckStatus.PASSED
    assert checks["disclosures"] is CheckStatus.FAILED
    result = present_sd.verify_presentation(text, ctx, audience="a", nonce="n")
    assert result.credential is None
    assert any(c.status is CheckStatus.FAILED for c in result.checks)


def test_missing_closing_tilde_is_malformed_not_a_lost_disclosure() -> None:
    text, _ = _chain(3)
    assert text.endswith("~")
    with pytest.raises(MalformedInput, match="must end with ~"):
        sdjwt.parse(text[:-1].encode())
    # With the ~ the same three disclosures are all there.
    assert len(sdjwt.parse(text.encode()).disclosable) == 3


def test_a_jws_shaped_last_part_is_still_taken_as_the_kb_jwt() -> None:
    text, _ = _chain(2)
    sd = sdjwt.split(text + "a.b.c")
    assert sd.kb_jwt == "a.b.c"
    assert len(sd.disclosures) == 2


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_non_numeric_date_claim_is_malformed(claim: str) -> None:
    key, _ = new_p256()
    payload = {"iss": ISS, "vct": "urn:v", "iat": 1700000000, claim: "2020-01-01T00:00:00Z"}
    token = jws.sign_compact(payload, key, headers={"typ": "dc+sd-jwt"})
    with pytest.raises(MalformedInput, match="NumericDate"):
        sdjwt.parse(f"{token}~".encode())
