"""The issuer-metadata memo (issue 11) never outlives the cached document it was read
from: replacing the issuer's metadata changes which key is proven, at once. Attack and
honest control in pairs; the memo's answer against the uncached reading."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from wallet.formats import sdjwt
from wallet.model import CheckStatus
from wallet.present import sdjwt as present_sd
from wallet.verify import issuer_keys, keys
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

ISS = "https://memo-issuer.test"
URL = "https://memo-issuer.test/.well-known/jwt-vc-issuer"


def _put(cache: MemoryCache, jwk: dict[str, Any], issuer: str = ISS) -> None:
    body = json.dumps({"issuer": issuer, "jwks": {"keys": [jwk]}}).encode()
    cache.put(CachedDocument(URL, body, datetime.now(UTC)))


def _signature(text: str, ctx: VerifyContext) -> CheckStatus:
    checks = sdjwt.issuer_checks(sdjwt.split(text), ctx)
    return next(c.status for c in checks if c.name == "signature")


def test_a_replaced_metadata_document_is_read_afresh() -> None:
    old_key = ec.generate_private_key(ec.SECP256R1())
    new_key = ec.generate_private_key(ec.SECP256R1())
    signed_by_old = present_sd.issue({"a": 1}, ["a"], old_key, iss=ISS)
    cache = MemoryCache()
    ctx = VerifyContext(cache=cache)
    _put(cache, keys.jwk_from_public_key(old_key.public_key()))
    assert _signature(signed_by_old, ctx) is CheckStatus.PASSED  # honest: remembered now
    # The issuer rotates its key: the credential of the old key no longer verifies.
    _put(cache, keys.jwk_from_public_key(new_key.public_key()))
    assert _signature(signed_by_old, ctx) is CheckStatus.FAILED
    signed_by_new = present_sd.issue({"a": 1}, ["a"], new_key, iss=ISS)
    assert _signature(signed_by_new, ctx) is CheckStatus.PASSED


def test_metadata_for_another_issuer_is_refused_even_after_a_hit() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = keys.jwk_from_public_key(key.public_key())
    text = present_sd.issue({"a": 1}, ["a"], key, iss=ISS)
    cache = MemoryCache()
    ctx = VerifyContext(cache=cache)
    _put(cache, jwk)
    assert _signature(text, ctx) is CheckStatus.PASSED
    _put(cache, jwk, issuer="https://someone-else.test")
    assert _signature(text, ctx) is CheckStatus.FAILED


def test_a_proven_key_is_a_copy_and_matches_the_uncached_reading() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = keys.jwk_from_public_key(key.public_key())
    cache = MemoryCache()
    _put(cache, jwk)
    ctx = VerifyContext(cache=cache)
    first = issuer_keys.prove_jws_key({"alg": "ES256"}, ISS, ctx)
    first.jwk["x"] = "tampered"
    again = issuer_keys.prove_jws_key({"alg": "ES256"}, ISS, ctx)
    assert again.jwk == jwk
    uncached = issuer_keys.cached_object(cache, URL)
    assert uncached is not None and uncached["jwks"]["keys"] == [again.jwk]
