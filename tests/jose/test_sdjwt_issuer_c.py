"""A W3C VC carried as SD-JWT names its issuer twice (iss, issuer): they must agree, or a
credential signed by one party would be shown (and trusted) under another's name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import engine
from wallet.formats import registry
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd

V2 = "https://www.w3.org/ns/credentials/v2"
SIGNER = "https://signer.test"


def _vc(issuer: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2020-01-01T00:00:00Z",
        "credentialSubject": {"name": "Sam"},
    }


def _statuses(claims: dict[str, Any], disclosable: list[str]) -> dict[str, CheckStatus]:
    key, jwk = new_p256()
    _, holder_jwk = new_p256()
    token = present_sd.issue(claims, disclosable, key, iss=SIGNER, holder_jwk=holder_jwk)
    report = engine.verify_credential(
        registry.parse(token.encode()), ctx_with_issuers({SIGNER: jwk})
    )
    statuses = {c.name: c.status for c in report.checks}
    statuses["verdict"] = (
        CheckStatus.FAILED if report.verdict is Verdict.INVALID else CheckStatus.PASSED
    )
    return statuses


@pytest.mark.parametrize(
    "issuer", ["https://famous-university.test", {"id": "https://famous-university.test"}]
)
def test_another_issuer_in_the_vc_fails_the_signature(issuer: Any) -> None:
    statuses = _statuses(_vc(issuer), ["credentialSubject.name"])
    assert statuses["signature"] is CheckStatus.FAILED
    assert statuses["verdict"] is CheckStatus.FAILED


def test_a_selectively_disclosed_foreign_issuer_is_caught_too() -> None:
    statuses = _statuses(_vc("https://famous-university.test"), ["issuer"])
    assert statuses["signature"] is CheckStatus.FAILED


@pytest.mark.parametrize("issuer", [SIGNER, {"id": SIGNER, "name": "Signer College"}])
def test_the_same_issuer_passes(issuer: Any) -> None:
    statuses = _statuses(_vc(issuer), ["credentialSubject.name"])
    assert statuses["signature"] is CheckStatus.PASSED
    assert statuses["disclosures"] is CheckStatus.PASSED


def test_presentation_of_a_foreign_issuer_vc_fails() -> None:
    key, jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    token = present_sd.issue(
        _vc("https://famous-university.test"),
        ["credentialSubject.name"],
        key,
        iss=SIGNER,
        holder_jwk=holder_jwk,
    )
    text = present_sd.present(
        token, ["credentialSubject.name"], holder_key, audience="v", nonce="n"
    )
    result = present_sd.verify_presentation(
        text, ctx_with_issuers({SIGNER: jwk}), audience="v", nonce="n"
    )
    statuses = {c.name: c.status for c in result.checks}
    assert statuses["signature"] is CheckStatus.FAILED
    assert statuses["holder_binding"] is CheckStatus.PASSED


def _did_jwk_signed_with_hidden(name: str, value: Any) -> tuple[str, str]:
    """An SD-JWT signed under a did:jwk kid, with no iss in the signed payload and
    ``name`` given only in a disclosure."""
    import base64
    import hashlib
    import json

    from wallet.verify import jws

    key, jwk = new_p256()
    did = "did:jwk:" + base64.urlsafe_b64encode(json.dumps(jwk).encode()).rstrip(b"=").decode()
    disclosure = (
        base64.urlsafe_b64encode(json.dumps(["salt-1", name, value]).encode()).rstrip(b"=").decode()
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(disclosure.encode()).digest()).rstrip(b"=")
    payload = {**_vc(None), "_sd": [digest.decode()]}
    del payload["issuer"]
    token = jws.sign_compact(payload, key, headers={"kid": f"{did}#0", "typ": "dc+sd-jwt"})
    return f"{token}~{disclosure}~", did


@pytest.mark.parametrize("name", ["issuer", "iss"])
def test_an_issuer_named_only_in_a_disclosure_fails(name: str) -> None:
    from wallet.verify.context import VerifyContext

    text, _ = _did_jwk_signed_with_hidden(name, "https://famous-university.test")
    report = engine.verify_credential(registry.parse(text.encode()), VerifyContext())
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["signature"] is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


@pytest.mark.parametrize(
    ("claims", "hidden"),
    [
        ({"vct": "urn:v", "exp": 4102444800, "name": "Sam"}, "exp"),
        ({"vct": "urn:v", "name": "Sam"}, "vct"),
        (
            {"vct": "urn:v", "status": {"status_list": {"idx": 3, "uri": "https://s.test/1"}}},
            "status",
        ),
        (
            {"vct": "urn:v", "status": {"status_list": {"idx": 3, "uri": "https://s.test/1"}}},
            "status.status_list",
        ),
    ],
)
def test_sd_jwt_vc_envelope_claims_must_not_be_withholdable(
    claims: dict[str, Any], hidden: str
) -> None:
    statuses = _statuses(claims, [hidden])
    assert statuses["signature"] is CheckStatus.PASSED
    assert statuses["disclosures"] is CheckStatus.FAILED
    assert statuses["verdict"] is CheckStatus.FAILED


def test_ordinary_claims_stay_disclosable_in_an_sd_jwt_vc() -> None:
    statuses = _statuses({"vct": "urn:v", "exp": 4102444800, "name": "Sam"}, ["name"])
    assert statuses["disclosures"] is CheckStatus.PASSED
    assert statuses["verdict"] is CheckStatus.PASSED
