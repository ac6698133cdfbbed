"""wallet.verify.jsonld.canonize (its normalize skips pyld's second expansion) against pyld's
own URDNA2015 normalize of the document, the reference path kept as the oracle: byte for
byte on every JSON-LD document and proof configuration in tests/vectors, and on generated
Open Badges 3.0 credentials."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from tests.jsonld.conftest import VECTORS
from wallet.errors import WalletError
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.verify import jsonld


def _reference(document: dict[str, Any]) -> str:
    """pyld's normalize on the document itself, as the wallet called it before."""
    jsonld.expand_strict(document)  # the same refusals (undefined terms, unbundled contexts)
    result: str = pyld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": jsonld.document_loader,
        },
    )
    return result


def _outcome(fn: Any, document: dict[str, Any]) -> tuple[str, str]:
    try:
        return "ok", fn(document)
    except WalletError as exc:
        return "refused", type(exc).__name__
    except pyld.JsonLdError as exc:  # the reference does not unwrap pyld's errors
        return "refused", type(jsonld._unwrap(exc)).__name__


def _documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(VECTORS.rglob("*.json*")):
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if not isinstance(doc, dict) or "@context" not in doc:
            continue
        name = str(path.relative_to(VECTORS))
        proofs = doc.get("proof")
        proofs = proofs if isinstance(proofs, list) else [proofs] if proofs else []
        found.append((name, {k: v for k, v in doc.items() if k != "proof"}))
        for i, proof in enumerate(p for p in proofs if isinstance(p, dict)):
            config = {k: v for k, v in proof.items() if k != "proofValue"}
            config["@context"] = doc["@context"]
            found.append((f"{name} proof {i}", config))
    return found


DOCUMENTS = _documents()


def test_the_vectors_hold_enough_documents() -> None:
    assert len(DOCUMENTS) > 50


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_every_vector_canonicalises_byte_identically(
    name: str, document: dict[str, Any], examples_context: None
) -> None:
    ours, reference = _outcome(jsonld.canonize, document), _outcome(_reference, document)
    assert ours == reference


def test_most_vectors_canonicalise_at_all(examples_context: None) -> None:
    # The comparison above means little if both sides refuse everything.
    ok = sum(_outcome(jsonld.canonize, d)[0] == "ok" for _, d in DOCUMENTS)
    assert ok > len(DOCUMENTS) * 2 // 3


ED = DemoIssuer.ed25519("Oracle College", "https://oracle.example", "oracle-ed")
P256 = DemoIssuer.p256("Oracle Employer", "https://oracle2.example", "oracle-p256")
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
skill = st.tuples(words, st.uuids().map(str), st.just(""))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    issuer=st.sampled_from([ED, P256]),
    suite=st.sampled_from(["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "Ed25519Signature2020"]),
    name=words,
    description=words,
    skills=st.lists(skill, max_size=3).map(tuple),
    credits=st.none() | st.floats(0, 500, allow_nan=False),
    grade=st.none() | words,
    valid_until=st.none() | st.just("2031-01-01T00:00:00Z"),
    evidence=st.lists(st.tuples(words, words), max_size=2).map(tuple),
)
def test_generated_credentials_canonicalise_byte_identically(
    issuer: DemoIssuer,
    suite: str,
    name: str,
    description: str,
    skills: tuple[tuple[str, str, str], ...],
    credits: float | None,
    grade: str | None,
    valid_until: str | None,
    evidence: tuple[tuple[str, str], ...],
) -> None:
    if suite != "ecdsa-rdfc-2019" and issuer is P256:
        suite = "ecdsa-rdfc-2019"
    if suite == "ecdsa-rdfc-2019" and issuer is ED:
        suite = "eddsa-rdfc-2022"
    doc = ob3_credential(
        issuer,
        credential_id="oracle",
        subject_id="did:example:learner",
        subject_name=name,
        achievement_name=name,
        description=description,
        criteria=description,
        valid_until=valid_until,
        skills=skills,
        evidence=tuple((f"https://evidence.example/{i}", n) for i, (n, _) in enumerate(evidence)),
        credits=credits,
        grade=grade,
    )
    signed = sign(doc, issuer, suite)
    proof = signed.pop("proof")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = signed["@context"]
    for document in (signed, config):
        ours = jsonld.canonize(document)
        assert ours == _reference(document)
        assert ours.endswith("\n") and len(ours.splitlines()) > 3


def test_the_processor_skips_only_the_second_expansion() -> None:
    # Undefined terms are still refused: the strict first expansion is not skipped.
    doc = ob3_credential(
        ED,
        credential_id="x",
        subject_id="did:example:l",
        subject_name="L",
        achievement_name="A",
        description="d",
        criteria="c",
    )
    doc["notInAnyContext"] = "unsigned"
    with pytest.raises(jsonld.UndefinedTerm):
        jsonld.canonize(doc)


def test_oracle_sees_a_difference() -> None:
    # The comparison can fail: one changed literal changes the N-Quads on both paths.
    doc = ob3_credential(
        ED,
        credential_id="x",
        subject_id="did:example:l",
        subject_name="Alex",
        achievement_name="A",
        description="d",
        criteria="c",
    )
    changed = json.loads(json.dumps(doc).replace('"Alex"', '"Alexa"'))
    assert jsonld.canonize(changed) != _reference(doc)
    assert jsonld.canonize(changed) == _reference(changed)
