"""did:web JWT issuers: keys come only from a cached DID document, and only keys the
document authorises for assertionMethod sign credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.jose.conftest import new_p256
from wallet import engine
from wallet.formats import registry
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

DID = "did:web:college.test:issuers:main"
DOC_URL = "https://college.test/issuers/main/did.json"
KEY, JWK = new_p256()


def _did_document(
    jwk: dict[str, Any] = JWK, *, purpose: str = "assertionMethod", did: str = DID
) -> dict[str, Any]:
    vm = {"id": f"{DID}#key-1", "type": "JsonWebKey2020", "controller": DID, "publicKeyJwk": jwk}
    return {"id": did, "verificationMethod": [vm], purpose: [f"{DID}#key-1"]}


def _ctx(document: dict[str, Any] | None) -> VerifyContext:
    cache = MemoryCache()
    if document is not None:
        cache.put(CachedDocument(DOC_URL, json.dumps(document).encode(), datetime.now(UTC)))
    return VerifyContext(cache=cache)


def _vc_jwt(kid: str = f"{DID}#key-1", key: Any = KEY) -> str:
    payload = {
        "iss": DID,
        "nbf": 1767225600,
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:sam", "name": "Sam"},
        },
    }
    return jws.sign_compact(payload, key, headers={"kid": kid})


def _signature(token: str, ctx: VerifyContext) -> tuple[CheckStatus, str, Verdict]:
    report = engine.verify_credential(registry.parse(token.encode()), ctx)
    check = report.check("signature")
    assert check is not None
    return check.status, check.detail, report.verdict


def test_not_cached_is_unverifiable() -> None:
    status, detail, verdict = _signature(_vc_jwt(), _ctx(None))
    assert status is CheckStatus.NOT_CHECKED and "not cached" in detail
    assert verdict is Verdict.UNVERIFIABLE


@pytest.mark.parametrize("kid", [f"{DID}#key-1", "#key-1", "key-1"])
def test_cached_document_verifies(kid: str) -> None:
    status, detail, verdict = _signature(_vc_jwt(kid), _ctx(_did_document()))
    assert status is CheckStatus.PASSED, detail
    assert verdict is Verdict.VALID_UNTRUSTED_ISSUER


@pytest.mark.parametrize(
    ("document", "why"),
    [
        (_did_document(purpose="authentication"), "not authorised"),
        (_did_document(new_p256()[1]), "does not match"),
        (_did_document(did="did:web:elsewhere.test"), "is for"),
    ],
    ids=["authentication only", "another key", "document of another DID"],
)
def test_cached_document_that_does_not_authorise_the_key(
    document: dict[str, Any], why: str
) -> None:
    status, detail, verdict = _signature(_vc_jwt(), _ctx(document))
    assert status is CheckStatus.FAILED and why in detail, detail
    assert verdict is Verdict.INVALID


def test_kid_of_an_unlisted_method_fails() -> None:
    status, detail, _ = _signature(_vc_jwt(f"{DID}#key-2"), _ctx(_did_document()))
    assert status is CheckStatus.FAILED and "key-2" in detail


def test_sd_jwt_with_a_did_web_issuer() -> None:
    text = present_sd.issue({"grade": "A"}, ["grade"], KEY, iss=DID, kid=f"{DID}#key-1")
    credential = registry.parse(text.encode())
    assert credential.issuer.id == DID
    report = engine.verify_credential(credential, _ctx(_did_document()))
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]
    report = engine.verify_credential(credential, _ctx(None))
    assert report.verdict is Verdict.UNVERIFIABLE
