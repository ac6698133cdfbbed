"""Verification (not just parsing) of odd-shaped signed documents never crashes and never
passes: JSON-LD expansion, canonicalization and the suites only ever report checks."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.formats import vc_jsonld
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.model import CheckStatus
from wallet.verify import jsonld
from wallet.verify.context import VerifyContext

ISSUER = DemoIssuer.ed25519("Fuzz College", "https://fuzz.test", "fuzz")
BASE = {
    suite: sign(
        ob3_credential(
            ISSUER,
            credential_id="urn:uuid:fuzz",
            subject_id="did:example:learner",
            subject_name="Sam",
            achievement_name="Fuzzing 101",
            description="d",
            criteria="c",
        ),
        ISSUER,
        suite,
    )
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022")
}

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["@id", "@type", "@context", "id", "type", "x"]), inner)
    ),
    max_leaves=10,
)
# Paths into the signed document that JSON-LD processing treats specially.
_targets = st.sampled_from(
    [
        ("@context",),
        ("type",),
        ("id",),
        ("issuer",),
        ("credentialSubject",),
        ("credentialSubject", "achievement"),
        ("credentialSubject", "@type"),
        ("proof",),
        ("proof", "verificationMethod"),
        ("proof", "proofValue"),
        ("proof", "cryptosuite"),
        ("proof", "type"),
        ("proof", "@context"),
        ("validFrom",),
        ("undefinedThing",),
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suite=st.sampled_from(sorted(BASE)), where=_targets, value=_json, append=st.booleans())
def test_odd_values_in_a_signed_credential_are_reported_not_raised(
    suite: str, where: tuple[str, ...], value: Any, append: bool
) -> None:
    doc: Any = copy.deepcopy(BASE[suite])
    node = doc
    for key in where[:-1]:
        node = node[key]
    last = where[-1]
    if append and isinstance(node.get(last), list):
        node[last] = [*node[last], value]
    else:
        node[last] = value
    if doc == BASE[suite]:
        return
    checks = vc_jsonld.verify_document(doc, VerifyContext())
    assert checks, "a signed document always gets a signature check"
    if all(c.status is CheckStatus.PASSED for c in checks):
        # Only rdfc may accept a JSON change, and only one that leaves the signed RDF
        # dataset identical (an empty "@type": [] adds no triple, for instance).
        assert suite == "eddsa-rdfc-2022", (where, value)
        assert doc["proof"] == BASE[suite]["proof"], (where, value)
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        original = {k: v for k, v in BASE[suite].items() if k != "proof"}
        assert jsonld.canonize(unsigned) == jsonld.canonize(original), (where, value)


def test_a_proof_context_that_disagrees_with_the_document_fails() -> None:
    for suite, signed in BASE.items():
        same = copy.deepcopy(signed)
        same["proof"]["@context"] = copy.deepcopy(signed["@context"])
        assert [c.status for c in vc_jsonld.verify_document(same, VerifyContext())] == [
            CheckStatus.PASSED
        ], suite
        for junk in ("https://evil.test/ctx", None, 5, [*signed["@context"], "x"]):
            odd = copy.deepcopy(signed)
            odd["proof"]["@context"] = junk
            checks = vc_jsonld.verify_document(odd, VerifyContext())
            assert [c.status for c in checks] == [CheckStatus.FAILED], (suite, junk)


def test_a_null_type_beside_type_fails_instead_of_crashing_pyld() -> None:
    # pyld keeps "@type": null in the expanded node ([None, "...AchievementSubject"]) and
    # its node map then calls None.startswith; found by the test above.
    odd: Any = copy.deepcopy(BASE["eddsa-rdfc-2022"])
    odd["credentialSubject"]["@type"] = None
    checks = vc_jsonld.verify_document(odd, VerifyContext())
    assert [c.status for c in checks] == [CheckStatus.FAILED]
    assert "@type" in checks[0].detail
    honest = vc_jsonld.verify_document(BASE["eddsa-rdfc-2022"], VerifyContext())
    assert [c.status for c in honest] == [CheckStatus.PASSED]
