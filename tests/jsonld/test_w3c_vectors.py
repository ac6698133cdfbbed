"""The W3C Data Integrity test vectors: every suite we support reproduces them."""

from __future__ import annotations

import json

import pytest

from tests.jsonld.conftest import VECTORS
from wallet.model import CheckStatus
from wallet.verify import jsonld, suites
from wallet.verify.context import VerifyContext

P, F, N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_CHECKED

EXPECTED = {
    "w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json": [P],
    "w3c-vc-di-eddsa/TestVectors/eddsa-jcs-2022/signedJCS.json": [P],
    "w3c-vc-di-eddsa/TestVectors/Ed25519Signature2020/signedEdSig.json": [P],
    "w3c-vc-di-eddsa/TestVectors/proof-set-chain/signedProofSet1.json": [P],
    "w3c-vc-di-eddsa/TestVectors/proof-set-chain/signedProofSet2.json": [P, P],
    "w3c-vc-di-eddsa/TestVectors/proof-set-chain/signedProofChain1.json": [P, P, P],
    "w3c-vc-di-eddsa/TestVectors/proof-set-chain/signedProofChain2.json": [P, P, P, P],
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/signedECDSAP256.json": [P],
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/signedECDSAP384.json": [P],
    # Needs the citizenship context, which is not bundled: unverifiable, never fetched.
    "w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ/signedDataInt.json": [N],
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ/signedECDSAP256.json": [N],
    # Suites we do not implement are unverifiable, not valid and not a crash.
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-sd-2023/employ/addSignedSDBase.json": [N],
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-sd-2023/prc/derivedRevealDocument.json": [N],
    "w3c-vc-di-ecdsa/TestVectors/ecdsa-jcs-2019-p256/signedJCSECDSAP256.json": [N],
}


def load(rel: str) -> dict[str, object]:
    data = json.loads((VECTORS / rel).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.usefixtures("examples_context")
@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_vector_gives_the_expected_result(rel: str) -> None:
    checks = suites.verify(load(rel), VerifyContext())
    assert [c.status for c in checks] == EXPECTED[rel], [c.detail for c in checks]


@pytest.mark.usefixtures("examples_context")
def test_canonical_form_matches_the_published_n_quads() -> None:
    signed = load("w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json")
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    expected = (
        VECTORS / "w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/canonDocDataInt.txt"
    ).read_text()
    assert jsonld.canonize(unsecured).strip() == expected.strip()


@pytest.mark.usefixtures("examples_context")
@pytest.mark.parametrize(
    "rel",
    [
        "w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json",
        "w3c-vc-di-eddsa/TestVectors/eddsa-jcs-2022/signedJCS.json",
        "w3c-vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/signedECDSAP384.json",
    ],
)
def test_any_changed_claim_breaks_the_signature(rel: str) -> None:
    doc = load(rel)
    subject = doc["credentialSubject"]
    assert isinstance(subject, dict)
    key = next(k for k in subject if k != "id")
    subject[key] = "tampered"
    checks = suites.verify(doc, VerifyContext())
    assert [c.status for c in checks] == [F]
    assert "does not match" in checks[0].detail


def test_unsupported_credentials_are_unverifiable() -> None:
    for path in sorted((VECTORS / "unsupported").glob("*.json")):
        checks = suites.verify(json.loads(path.read_text()), VerifyContext())
        assert checks and all(c.status is N for c in checks), path.name


def test_unbundled_context_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("verification tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = load("w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json")
    # Without the test-only examples context it is "not bundled": not checked, no fetch.
    checks = suites.verify(doc, VerifyContext())
    assert [c.status for c in checks] == [N]
    assert "examples/v2 is not bundled; not fetched" in checks[0].detail


@pytest.mark.usefixtures("examples_context")
def test_contexts_are_read_once_not_per_verification() -> None:
    doc = load("w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json")
    suites.verify(doc, VerifyContext())
    before = jsonld._bundled.cache_info()
    for _ in range(5):
        assert suites.verify(doc, VerifyContext())[0].status is P
    after = jsonld._bundled.cache_info()
    assert after.misses == before.misses  # no file re-read, no re-parse
