"""Peers' checks of what the server issues: the reference ``sd-jwt`` library verifies the
SD-JWT VC with the key from the issuer's jwt-vc-issuer metadata, and the Data Integrity
proofs reproduce by the W3C test vectors' method (RDFC-1.0 of proof options and document,
two SHA-256 hashes, Ed25519 over their concatenation) with the key from the DID document.
Each beside a tampered control that the same peer check refuses."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer
from wallet.verify import jsonld, keys

SD = "programme_sd_jwt"


def _issuer_key(server: RunningIssuer) -> Any:
    with server.client() as client:
        metadata = client.get("/.well-known/jwt-vc-issuer").json()

    def lookup(iss: str, header: dict[str, Any]) -> JWK:
        assert iss == metadata["issuer"]
        [jwk] = [k for k in metadata["jwks"]["keys"] if k["kid"] == header["kid"]]
        return JWK.from_json(json.dumps(jwk))

    return lookup


def test_reference_library_verifies_the_issued_sd_jwt(issuer_server: RunningIssuer) -> None:
    issued = flow.obtain(issuer_server, SD, flow.HolderKey.p256())
    payload = SDJWTVerifier(issued, _issuer_key(issuer_server)).get_verified_payload()
    assert payload["given_name"] == "Alex" and payload["family_name"] == "Learner"
    assert payload["grade"] == "A-" and payload["credits"] == 3.0
    assert payload["skills"] == [
        "SQL",
        "statistics",
        "use spreadsheets software",
        "Python (computer programming)",
    ]
    assert payload["iss"] == issuer_server.base_url


def test_reference_library_verifies_our_presentation_of_it(issuer_server: RunningIssuer) -> None:
    from wallet.present import sdjwt as present_sd

    holder = flow.HolderKey.p256()
    issued = flow.obtain(issuer_server, SD, holder)
    shown = present_sd.present(
        issued, ["grade", "skills.0"], holder.private, audience="employer", nonce="n-1"
    )
    payload = SDJWTVerifier(
        shown, _issuer_key(issuer_server), expected_aud="employer", expected_nonce="n-1"
    ).get_verified_payload()
    assert payload["grade"] == "A-" and payload["skills"] == ["SQL"]
    assert "given_name" not in payload


def test_reference_library_refuses_a_tampered_disclosure(issuer_server: RunningIssuer) -> None:
    issued = flow.obtain(issuer_server, SD, flow.HolderKey.p256())
    parts = issued.split("~")
    changed = 0
    for i, part in enumerate(parts[1:-1], start=1):
        text = keys.b64url_decode(part).decode()
        if '"grade"' in text:
            parts[i] = keys.b64url(text.replace('"A-"', '"A+"').encode())
            changed += 1
    assert changed == 1
    tampered = "~".join(parts)
    # The reference library drops a disclosure no digest refers to (it does not refuse
    # the token): the forged grade never reaches its payload. Ours refuses the token.
    payload = SDJWTVerifier(tampered, _issuer_key(issuer_server)).get_verified_payload()
    assert "grade" not in payload and payload["given_name"] == "Alex"
    from wallet.api import parse_credential, verify_credential
    from wallet.model import Verdict

    report = verify_credential(parse_credential(tampered.encode()), flow.cache_from(issuer_server))
    assert report.verdict is Verdict.INVALID


# -- Data Integrity, by the W3C vectors' method ------------------------------------------------


def _did_key(server: RunningIssuer, vm: str) -> Any:
    path = "/partner/did.json" if ":partner#" in vm else "/.well-known/did.json"
    with server.client() as client:
        doc = client.get(path).json()
    [method] = [m for m in doc["verificationMethod"] if m["id"] == vm]
    return keys.public_key_from_multikey(method["publicKeyMultibase"])


def _reproduce(server: RunningIssuer, signed: dict[str, Any]) -> None:
    """eddsa-rdfc-2022 verification as the spec's test vectors show it, step by step."""
    proof = dict(signed["proof"])
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    signature = base58.b58decode(proof.pop("proofValue")[1:])
    document = {k: v for k, v in signed.items() if k != "proof"}
    options = {"@context": document["@context"], **proof}
    hash_data = (
        hashlib.sha256(jsonld.canonize(options).encode()).digest()
        + hashlib.sha256(jsonld.canonize(document).encode()).digest()
    )
    _did_key(server, proof["verificationMethod"]).verify(signature, hash_data)


def _ob3(server: RunningIssuer) -> dict[str, Any]:
    issued: dict[str, Any] = flow.obtain(server, "programme_ldp_vc", flow.HolderKey.p256())
    return issued


def test_ob3_credential_and_its_endorsement_reproduce(issuer_server: RunningIssuer) -> None:
    credential = _ob3(issuer_server)
    _reproduce(issuer_server, credential)
    [endorsement] = credential["endorsement"]
    _reproduce(issuer_server, endorsement)


def test_status_list_credential_reproduces(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        _reproduce(issuer_server, client.get("/status/bitstring/1").json())


def test_a_changed_claim_does_not_reproduce(issuer_server: RunningIssuer) -> None:
    credential = _ob3(issuer_server)
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 30.0
    with pytest.raises(InvalidSignature):
        _reproduce(issuer_server, credential)
