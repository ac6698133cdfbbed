"""VC JSON-LD / Open Badges 3.0 through the registry and engine: DCC fixtures, our own
OB 3.0 credentials, and the attacks the issue names."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.jsonld.conftest import VECTORS
from wallet import engine
from wallet.errors import WalletError
from wallet.formats import registry, vc_jsonld
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.model import CheckStatus, Verdict
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

DCC = VECTORS / "dcc-vc-test-fixtures" / "verifiableCredentials"
COLLEGE = DemoIssuer.ed25519("Test College", "https://college.test", "test-college")
EMPLOYER = DemoIssuer.p256("Test Employer", "https://employer.test", "test-employer")
SKILL = ("use spreadsheets software", "1973c966-f236-40c9-b2d4-5d71a89019be", "")


def verdict_of(data: bytes, ctx: VerifyContext | None = None) -> Verdict:
    return engine.verify_credential(registry.parse(data), ctx or VerifyContext()).verdict


def dcc_files(kind: str) -> list[Path]:
    return sorted(
        p
        for p in DCC.rglob("*.json")
        if f"/{kind}/" in str(p).replace("\\", "/") and p.stat().st_size
    )


@pytest.mark.parametrize("path", dcc_files("didKey") + dcc_files("didkey"), ids=lambda p: p.name)
def test_dcc_did_key_fixtures(path: Path) -> None:
    credential = registry.parse(path.read_bytes())
    report = engine.verify_credential(credential, VerifyContext())
    signatures = [c for c in report.checks if c.name == "signature"]
    if path.name.endswith("-tampered.json"):
        assert report.verdict is Verdict.INVALID
        assert any(c.status is CheckStatus.FAILED for c in signatures)
        return
    assert signatures and all(c.status is CheckStatus.PASSED for c in signatures)
    period = report.check("validity_period")
    assert period is not None
    # Judge by the dates inside (some fixture names do not match their dates).
    doc = json.loads(path.read_text())
    now = datetime.now(UTC).isoformat()
    until = doc.get("validUntil") or doc.get("expirationDate")
    start = doc.get("validFrom") or doc.get("issuanceDate") or ""
    if (until and until < now) or start > now:
        assert report.verdict is Verdict.INVALID
        assert period.status is CheckStatus.FAILED
    else:
        assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


@pytest.mark.parametrize("path", dcc_files("didWeb") + dcc_files("didweb"), ids=lambda p: p.name)
def test_dcc_did_web_fixtures_are_unverifiable_offline_without_a_cached_document(
    path: Path,
) -> None:
    report = engine.verify_credential(registry.parse(path.read_bytes()), VerifyContext())
    signatures = [c for c in report.checks if c.name == "signature"]
    assert signatures and all(c.status is CheckStatus.NOT_CHECKED for c in signatures)
    assert report.verdict in (Verdict.UNVERIFIABLE, Verdict.INVALID)  # invalid only if expired


def test_did_web_verifies_from_the_cache() -> None:
    path = DCC / "v2/ed25519/didWeb/oidf-noStatus-notExpired.json"
    doc = json.loads(path.read_text())
    did = doc["proof"]["verificationMethod"].split("#")[0] if isinstance(doc["proof"], dict) else ""
    did_doc = (VECTORS / "dcc-vc-test-fixtures/dids/oidf/did.json").read_bytes()
    assert json.loads(did_doc)["id"] == did
    url = "https://" + did.split(":", 2)[2].replace(":", "/") + "/did.json"
    cache = MemoryCache({url: CachedDocument(url, did_doc, datetime.now(UTC))})
    report = engine.verify_credential(registry.parse(path.read_bytes()), VerifyContext(cache=cache))
    assert report.check("signature") is not None
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]


def own_credential(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "credential_id": "data-101",
        "subject_id": "did:example:learner",
        "subject_name": "Sam Learner",
        "achievement_name": "Data Analysis Fundamentals",
        "description": "Cleans, analyses and presents tabular data.",
        "criteria": "Passed a proctored practical exam and a capstone project.",
        "skills": (SKILL,),
        "evidence": (("Capstone project", "Analysed 3 years of transit ridership."),),
        "credits": 3.0,
        "grade": "A-",
        "endorser": EMPLOYER,
        "field_of_study": "Data Science",
    }
    args.update(overrides)
    return ob3_credential(COLLEGE, **args)


def test_own_ob3_credential_round_trips_with_framework_fields() -> None:
    signed = sign(own_credential(), COLLEGE)
    data = json.dumps(signed).encode()
    credential = registry.parse(data)
    assert credential.format == "vc-jsonld"
    assert credential.raw == data
    assert credential.title == "Data Analysis Fundamentals"
    assert credential.issuer.name == "Test College" and credential.issuer.id == COLLEGE.did
    a = credential.achievement
    assert a is not None
    assert a.achievement_type == "MicroCredential"
    assert a.credits_available == 3.0 and credential.credits_earned == 3.0
    assert a.field_of_study == "Data Science"
    assert a.alignments[0].is_esco and a.alignments[0].target_code == SKILL[1]
    assert credential.evidence[0].name == "Capstone project"
    assert (
        credential.results[0].value == "A-" and credential.results[0].description == "Final grade"
    )
    assert credential.endorsements[0].issuer.name == "Test Employer"
    ctx = VerifyContext(
        trust=__import__("wallet.verify.context", fromlist=["TrustList"]).TrustList(
            (
                __import__("wallet.verify.context", fromlist=["TrustEntry"]).TrustEntry(
                    COLLEGE.did, "Test College"
                ),
            )
        )
    )
    assert verdict_of(data, ctx) is Verdict.VALID
    assert verdict_of(data) is Verdict.VALID_UNTRUSTED_ISSUER


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_every_flipped_byte_is_caught(suite: str) -> None:
    data = json.dumps(sign(own_credential(endorser=None), COLLEGE, suite), sort_keys=True).encode()
    outcomes: dict[str, int] = {}
    for position in range(0, len(data), 7):
        mutated = bytearray(data)
        mutated[position] ^= 0x01
        try:
            verdict = verdict_of(bytes(mutated)).value
        except WalletError:
            verdict = "refused"
        outcomes[verdict] = outcomes.get(verdict, 0) + 1
        # Insignificant whitespace aside, a changed byte is never accepted as genuine.
    assert "valid" not in outcomes
    assert outcomes.get("valid_untrusted_issuer", 0) == 0, outcomes


def test_proof_by_another_did_fails() -> None:
    doc = own_credential(endorser=None)
    forged = sign(doc, EMPLOYER)  # signed by the employer's key, issuer still the college
    checks = vc_jsonld.verify_document(forged, VerifyContext())
    assert [c.status for c in checks] == [CheckStatus.FAILED]
    assert "not by the issuer" in checks[0].detail


def test_key_not_authorised_for_assertion_fails() -> None:
    did = "did:web:college.test"
    issuer = DemoIssuer.ed25519("Web College", "https://college.test", "web-college")
    vm = f"{did}#key-1"
    from wallet.verify import keys, suites

    doc = own_credential(endorser=None)
    doc["issuer"] = {"id": did, "type": ["Profile"], "name": "Web College"}
    signed = suites.sign(doc, issuer.key, verification_method=vm)
    did_doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": keys.multikey_from_public_key(issuer.key.public_key()),
            }
        ],
        "authentication": [vm],  # but not assertionMethod
    }
    url = "https://college.test/.well-known/did.json"
    cache = MemoryCache({url: CachedDocument(url, json.dumps(did_doc).encode(), datetime.now(UTC))})
    checks = vc_jsonld.verify_document(signed, VerifyContext(cache=cache))
    assert [c.status for c in checks] == [CheckStatus.FAILED]
    assert "not authorised for assertionMethod" in checks[0].detail
    did_doc["assertionMethod"] = [vm]
    cache.put(CachedDocument(url, json.dumps(did_doc).encode(), datetime.now(UTC)))
    assert [c.status for c in vc_jsonld.verify_document(signed, VerifyContext(cache=cache))] == [
        CheckStatus.PASSED
    ]


def test_undefined_term_in_a_signed_credential_fails() -> None:
    doc = own_credential(endorser=None)
    doc["credentialSubject"]["favouriteColour"] = "green"  # not defined by any context
    signed = sign(copy.deepcopy(doc), COLLEGE, "eddsa-jcs-2022")  # JCS signs it happily
    assert vc_jsonld.verify_document(signed, VerifyContext())[0].status is CheckStatus.PASSED
    with pytest.raises(WalletError, match="undefined term"):
        sign(doc, COLLEGE, "eddsa-rdfc-2022")
    # A credential whose rdfc proof would not cover that claim is refused as failed.
    good = sign(own_credential(endorser=None), COLLEGE)
    good["credentialSubject"]["favouriteColour"] = "green"
    checks = vc_jsonld.verify_document(good, VerifyContext())
    assert checks[0].status is CheckStatus.FAILED
    assert "undefined term" in checks[0].detail


def test_unbundled_context_is_unverifiable_and_still_displayed() -> None:
    doc = sign(own_credential(endorser=None), COLLEGE)
    doc["@context"].append("https://example.org/unknown-context.json")
    credential = registry.parse(json.dumps(doc).encode())
    assert credential.title == "Data Analysis Fundamentals"
    report = engine.verify_credential(credential, VerifyContext())
    assert report.verdict is Verdict.UNVERIFIABLE
    assert "not bundled; not fetched" in report.checks[0].detail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_fuzz_parse_only_raises_wallet_errors(data: bytes) -> None:
    with contextlib.suppress(WalletError):
        vc_jsonld.parse(data)


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_fuzz_normalize_with_odd_shapes(value: Any) -> None:
    base = own_credential(endorser=None)
    for key in ("issuer", "credentialSubject", "evidence", "credentialStatus", "validFrom"):
        doc = copy.deepcopy(base)
        doc[key] = value
        with contextlib.suppress(WalletError):
            vc_jsonld.parse(json.dumps(doc).encode())


def test_partner_endorsement_is_verified_and_a_forged_one_is_a_warning() -> None:
    doc = sign(own_credential(), COLLEGE)
    checks = vc_jsonld.verify_document(doc, VerifyContext())
    endorsement = next(c for c in checks if c.name == "endorsement")
    assert endorsement.status is CheckStatus.PASSED and "Test Employer" in endorsement.detail
    unsigned = own_credential()
    unsigned["endorsement"][0]["credentialSubject"]["endorsementComment"] = "We never said this."
    forged = sign(unsigned, COLLEGE)  # the college re-signs, but cannot forge the employer
    report = engine.verify_credential(registry.parse(json.dumps(forged).encode()), VerifyContext())
    endorsement = next(c for c in report.checks if c.name == "endorsement")
    assert endorsement.status is CheckStatus.WARNING
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER  # the credential itself is genuine
