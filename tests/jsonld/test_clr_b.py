"""CLR 2.0 edge cases: nested credentials forged by another key, unsupported nested suites,
a tampered outer wrapper, odd nested shapes, and fuzzing of the parser."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.jsonld.test_clr import UNI, clr, entry
from wallet import engine
from wallet.errors import MalformedInput, WalletError
from wallet.formats import clr as clr_format
from wallet.formats import registry
from wallet.issuer.samples import DemoIssuer, sign
from wallet.model import CheckStatus, Verdict
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

MALLORY = DemoIssuer.ed25519("Mallory", "https://mallory.test", "mallory")


def verify(doc: dict[str, Any]) -> Any:
    credential = registry.parse(json.dumps(doc).encode())
    assert credential.format == "clr"
    ctx = VerifyContext(trust=TrustList((TrustEntry(UNI.did, UNI.name),)))
    return engine.verify_credential(credential, ctx)


def test_nested_credential_signed_by_another_key_is_invalid() -> None:
    forged = entry(2)
    forged.pop("proof")
    forged = sign(forged, MALLORY)  # issuer still says the university
    rep = verify(clr([entry(1), forged]))
    assert rep.verdict is Verdict.INVALID
    failed = [c for c in rep.checks if c.status is CheckStatus.FAILED]
    assert len(failed) == 1
    assert "nested credential 2" in failed[0].detail and "not by the issuer" in failed[0].detail


def test_nested_credential_with_an_unsupported_suite_makes_the_clr_unverifiable() -> None:
    odd = entry(1)
    odd["proof"] = {**odd["proof"], "cryptosuite": "bbs-2023"}
    rep = verify(clr([odd, entry(2)]))
    assert rep.verdict is Verdict.UNVERIFIABLE
    assert any(c.status is CheckStatus.NOT_CHECKED and "bbs-2023" in c.detail for c in rep.checks)


def test_nested_credential_without_a_proof_is_not_valid() -> None:
    bare = entry(1)
    bare.pop("proof")
    rep = verify(clr([bare]))
    assert rep.verdict is not Verdict.VALID


def test_tampered_outer_wrapper_is_invalid_even_with_good_nested_credentials() -> None:
    doc = clr([entry(1), entry(2)])
    doc["name"] = "Someone else's transcript"
    rep = verify(doc)
    assert rep.verdict is Verdict.INVALID
    assert rep.checks[0].name == "signature" and rep.checks[0].status is CheckStatus.FAILED
    # Dropping a nested credential after signing is caught by the outer proof too.
    doc = clr([entry(1), entry(2)])
    doc["credentialSubject"]["verifiableCredential"].pop()
    assert verify(doc).verdict is Verdict.INVALID


@pytest.mark.parametrize("nested", [[5], [None], ["not a jwt"], [[]], {"x": 1}])
def test_odd_nested_entries_are_wallet_errors(nested: Any) -> None:
    doc = copy.deepcopy(clr([]))
    doc["credentialSubject"]["verifiableCredential"] = nested
    with pytest.raises(WalletError):
        clr_format.parse(json.dumps(doc).encode())


def test_subject_must_be_an_object() -> None:
    doc = clr([])
    doc["credentialSubject"] = "learner"
    with pytest.raises(MalformedInput):
        clr_format.parse(json.dumps(doc).encode())


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nested=st.lists(_json, max_size=3), subject_extra=st.dictionaries(st.text(max_size=5), _json)
)
def test_fuzz_clr_parse_and_verify_only_raise_wallet_errors(
    nested: list[Any], subject_extra: dict[str, Any]
) -> None:
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": UNI.did,
        "credentialSubject": {**subject_extra, "verifiableCredential": nested},
    }
    try:
        credential = clr_format.parse(json.dumps(doc).encode())
    except WalletError:
        return
    checks = clr_format.verify_signature(credential, VerifyContext())
    assert checks and all(c.status is not CheckStatus.PASSED for c in checks[:1])
