"""wallet.verify.jsonld_cache (processed contexts kept between operations) against pyld's
own processor, the reference path kept as the oracle: identical expansions (and signed-form
compactions) on every vector document, cold and warm, and on generated OB 3.0 credentials;
the cache really hits; a caller's later change to an inline context is seen; strict
expansion still refuses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from tests.jsonld.test_canonize_oracle import DOCUMENTS, ED, _reference
from wallet.errors import WalletError
from wallet.issuer.samples import ob3_credential, sign
from wallet.verify import jsonld, jsonld_cache, signed_form


def _plain_expand(document: dict[str, Any]) -> Any:
    """pyld's own processor, as expand_strict called it before the cache."""
    return pyld.expand(copy.deepcopy(document), {"documentLoader": jsonld.document_loader})


def _cached_expand(document: dict[str, Any]) -> Any:
    return jsonld_cache.CachingProcessor().expand(
        copy.deepcopy(document), {"documentLoader": jsonld.document_loader}
    )


def _outcome(fn: Any, document: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", fn(document)
    except (WalletError, pyld.JsonLdError) as exc:
        return "refused", type(jsonld._unwrap(exc)).__name__


def _credential(name: str = "Alex") -> dict[str, Any]:
    return ob3_credential(
        ED,
        credential_id="cache",
        subject_id="did:example:learner",
        subject_name=name,
        achievement_name="Python",
        description="d",
        criteria="c",
        skills=(("skill", "1973c966-f236-40c9-b2d4-5d71a89019be", ""),),
        credits=3.0,
        grade="A",
    )


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_every_vector_expands_identically_cold_and_warm(
    name: str, document: dict[str, Any], examples_context: None
) -> None:
    jsonld_cache.clear()
    reference = _outcome(_plain_expand, document)
    assert _outcome(_cached_expand, document) == reference  # cold: filling the cache
    assert _outcome(_cached_expand, document) == reference  # warm: from the cache


def _plain_round_trip(document: dict[str, Any]) -> Any:
    """The signed form's round trip as pyld's own processor makes it (expanding twice)."""
    options = {"documentLoader": jsonld.document_loader}
    expanded = pyld.expand(copy.deepcopy(document), options)
    return pyld.compact(expanded, {"@context": document["@context"]}, options)


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_every_vector_compacts_identically(
    name: str, document: dict[str, Any], examples_context: None
) -> None:
    # signed_form.compacted: the caching processor, and compaction told to skip the
    # second expansion of input it has just expanded.
    reference = _outcome(_plain_round_trip, document)
    assert _outcome(signed_form.compacted, document) == reference
    assert _outcome(signed_form.compacted, document) == reference


def test_the_cache_hits_on_a_second_credential() -> None:
    # The point of the cache: a second credential of the same shape processes no context.
    first, second = _credential("Alex"), _credential("Sam")
    jsonld_cache.clear()
    jsonld.canonize(first)
    filled = len(jsonld_cache._processed)
    calls: list[object] = []
    original = pyld.JsonLdProcessor._process_context

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return original(self, *args, **kwargs)

    pyld.JsonLdProcessor._process_context = counting
    try:
        ours = jsonld.canonize(second)
    finally:
        pyld.JsonLdProcessor._process_context = original
    assert ours == _reference(second)
    assert filled >= 5  # OB 3.0's type-scoped contexts, each kept once
    assert calls == []  # not one context processed again
    assert len(jsonld_cache._processed) == filled


def test_a_changed_inline_context_is_seen() -> None:
    # An inline context is keyed by its JSON text and processed from a private copy, so
    # the caller changing its document afterwards cannot leave a stale context behind.
    doc: dict[str, Any] = {
        "@context": {"@vocab": "https://vocab.example/", "size": {"@id": "https://a.example/size"}},
        "size": "large",
    }
    before = jsonld.canonize(doc)
    assert "<https://a.example/size>" in before
    doc["@context"]["size"]["@id"] = "https://b.example/size"
    after = jsonld.canonize(doc)
    assert after == _reference(doc)
    assert "<https://b.example/size>" in after and after != before


def test_strict_expansion_still_refuses_an_undefined_term_from_a_warm_cache() -> None:
    honest = _credential()
    jsonld.canonize(honest)  # warm
    assert jsonld.canonize(honest) == _reference(honest)
    attack = copy.deepcopy(honest)
    attack["credentialSubject"]["notInAnyContext"] = "unsigned"
    with pytest.raises(jsonld.UndefinedTerm):
        jsonld.canonize(attack)


def test_an_unregistered_context_is_no_longer_served(examples_context: None) -> None:
    url = "https://www.w3.org/ns/credentials/examples/v2"  # served by the fixture
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", url], "type": "ExampleX"}
    assert _outcome(_cached_expand, document)[0] == "ok"
    jsonld.unregister_contexts()
    assert _outcome(_cached_expand, document) == ("refused", "ContextNotBundled")


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=words, grade=st.none() | words, credits=st.none() | st.floats(0, 500))
def test_generated_credentials_expand_identically(
    name: str, grade: str | None, credits: float | None
) -> None:
    doc = ob3_credential(
        ED,
        credential_id="gen",
        subject_id="did:example:learner",
        subject_name=name,
        achievement_name=name,
        description=name,
        criteria=name,
        credits=credits,
        grade=grade,
    )
    signed = sign(doc, ED)
    proof = signed.pop("proof")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = signed["@context"]
    for document in (signed, config):
        assert json.dumps(_cached_expand(document)) == json.dumps(_plain_expand(document))
    assert signed_form.compacted(signed) == _plain_round_trip(signed)


def test_the_iri_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Document values (ids, URLs) are expanded through the memo too: a stream of distinct
    # credentials must not grow it without end.
    monkeypatch.setattr(jsonld_cache, "MAX_IRIS", 50)
    jsonld_cache.clear()
    for i in range(30):
        doc = _credential()
        doc["id"] = f"urn:uuid:00000000-0000-0000-0000-{i:012d}"
        assert jsonld.canonize(doc) == _reference(doc)
    assert _iris_sizes() and max(_iris_sizes()) <= 50


def _iris_sizes() -> list[int]:
    return [len(memo) for _, memo in jsonld_cache._iris.values()]


def _proof_options(created: str) -> dict[str, Any]:
    signed = sign(_credential(), ED)
    proof = signed["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    return {**config, "created": created, "@context": signed["@context"]}


def test_memoised_proof_options_match_the_reference_and_their_own_text() -> None:
    first = _proof_options("2026-01-01T00:00:00Z")
    other = _proof_options("2026-01-01T00:00:01Z")
    for _ in range(2):  # cold, then from the memo
        assert jsonld.canonize_memoised(first) == _reference(first).encode()
        assert jsonld.canonize_memoised(other) == _reference(other).encode()
    assert jsonld.canonize_memoised(first) != jsonld.canonize_memoised(other)


def test_memoised_proof_options_with_an_undefined_term_are_refused_every_time() -> None:
    honest = _proof_options("2026-01-01T00:00:00Z")
    assert jsonld.canonize_memoised(honest) == _reference(honest).encode()
    attack = {**honest, "unsignedOption": "x"}
    for _ in range(2):
        with pytest.raises(jsonld.UndefinedTerm):
            jsonld.canonize_memoised(attack)


def test_large_proof_options_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonld, "MAX_MEMOISED_TEXT", 100)
    jsonld._memoised.clear()
    options = _proof_options("2026-01-01T00:00:00Z")
    assert jsonld.canonize_memoised(options) == _reference(options).encode()
    assert jsonld._memoised == {}


def test_the_iri_memo_keeps_few_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonld_cache, "MAX_IRI_CONTEXTS", 3)
    jsonld_cache.clear()
    doc = _credential()
    assert jsonld.canonize(doc) == _reference(doc)
    assert 0 < len(jsonld_cache._iris) <= 3
