"""Data Integrity proofs: eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019 (P-256, P-384)
and the legacy Ed25519Signature2020, including proof sets and proof chains.

``verify`` returns one "signature" check per proof and never raises for a bad document: an
unsupported suite, a context that is not bundled or a key that is not cached is
``not_checked``; anything that does not verify is ``failed``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet.errors import MalformedInput, UnsupportedInput, WalletError
from wallet.model import SIGNATURE, Check, CheckStatus
from wallet.verify import dids, jsonld, signed_form
from wallet.verify.context import VerifyContext
from wallet.verify.period import parse_datetime
from wallet.verify.suites.hashing import SUITES, Suite, hash_data, signature_to_der

NOT_SUPPORTED = ("bbs-2023", "ecdsa-sd-2023", "MerkleProof2019", "merkle-proof-2019")
DI_V2 = "https://w3id.org/security/data-integrity/v2"
CRED_V1 = "https://www.w3.org/2018/credentials/v1"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def suite_name(proof: dict[str, Any]) -> str:
    if proof.get("type") == "DataIntegrityProof":
        return str(proof.get("cryptosuite", "DataIntegrityProof"))
    return str(proof.get("type", "unknown"))


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    items = proof if isinstance(proof, list) else [proof] if proof is not None else []
    if not all(isinstance(p, dict) for p in items):
        raise MalformedInput("every proof must be a JSON object")
    return items


def verify(
    document: dict[str, Any],
    ctx: VerifyContext,
    *,
    expected_purpose: str = "assertionMethod",
    expected_controller: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> list[Check]:
    try:
        proofs = proofs_of(document)
    except MalformedInput as exc:
        return [Check(SIGNATURE, CheckStatus.FAILED, exc.message)]
    if not proofs:
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, "the credential carries no proof")]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    by_id = {p["id"]: p for p in proofs if isinstance(p.get("id"), str)}
    checks = []
    for proof in proofs:
        secured = dict(unsecured)
        previous = proof.get("previousProof")
        if previous is not None:
            refs = previous if isinstance(previous, list) else [previous]
            chain = [by_id[r] for r in refs if isinstance(r, str) and r in by_id]
            if len(chain) != len(refs):
                checks.append(Check(SIGNATURE, CheckStatus.FAILED, "a previous proof is missing"))
                continue
            secured["proof"] = chain[0] if len(chain) == 1 else chain
        checks.append(
            _verify_one(
                secured,
                proof,
                ctx,
                expected_purpose=expected_purpose,
                expected_controller=expected_controller,
                challenge=challenge,
                domain=domain,
            )
        )
    return _signed_form_rule(document, proofs, checks)


def _signed_form_rule(
    document: dict[str, Any], proofs: list[dict[str, Any]], checks: list[Check]
) -> list[Check]:
    """An rdfc proof covers the RDF graph, while the wallet reads JSON keys: a passed rdfc
    proof over a document not in its own compact form is refused (wallet.verify.signed_form).
    Run only after the proofs passed, so a bad document fails on the cheap path first."""
    rdfc = [
        i
        for i, (p, c) in enumerate(zip(proofs, checks, strict=True))
        if c.status is CheckStatus.PASSED
        and (s := SUITES.get(suite_name(p))) is not None
        and s.canonicalization == "rdfc"
    ]
    if not rdfc:
        return checks
    try:
        reason = signed_form.check(document)
    except jsonld.ContextNotBundled as exc:
        reason = exc.message
    except (MalformedInput, UnsupportedInput) as exc:
        reason = exc.message
    if reason is None:
        return checks
    out = list(checks)
    for i in rdfc:
        out[i] = Check(SIGNATURE, CheckStatus.FAILED, f"{suite_name(proofs[i])}: {reason}")
    return out


def _verify_one(
    unsecured: dict[str, Any],
    proof: dict[str, Any],
    ctx: VerifyContext,
    *,
    expected_purpose: str,
    expected_controller: str | None,
    challenge: str | None,
    domain: str | None,
) -> Check:
    name = suite_name(proof)
    suite = SUITES.get(name)
    if suite is None:
        return Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"suite {name} is not supported")

    def failed(detail: str) -> Check:
        return Check(SIGNATURE, CheckStatus.FAILED, f"{name}: {detail}")

    if proof.get("proofPurpose") != expected_purpose:
        return failed(f"proof purpose is {proof.get('proofPurpose')!r}, not {expected_purpose}")
    # The document's @context is hashed in the proof's place, so a proof @context must be
    # that same value (VC DI EdDSA/ECDSA: hash with proofOptions.@context, must prefix it).
    if "@context" in proof and proof["@context"] != unsecured.get("@context"):
        return failed("the proof's @context does not match the document's")
    # An issuer's proof past its own "expires" vouches for nothing (VC Data Integrity 1.0
    # "expires"). Presentations report this as freshness in wallet.present instead.
    if expected_purpose == "assertionMethod" and "expires" in proof:
        try:
            expires = proof["expires"]
            if not isinstance(expires, str):
                raise MalformedInput("the proof's expires is not a date-time string")
            if ctx.now > parse_datetime(expires):
                return failed(f"the proof expired at {expires}")
        except MalformedInput as exc:
            return failed(exc.message)
    if challenge is not None and proof.get("challenge") != challenge:
        return failed("the proof's challenge does not match the nonce")
    if domain is not None and proof.get("domain") != domain:
        return failed("the proof's domain does not match the audience")
    vm_id = proof.get("verificationMethod")
    if isinstance(vm_id, dict):
        vm_id = vm_id.get("id")
    if not isinstance(vm_id, str):
        return failed("the proof names no verification method")
    try:
        method = dids.resolve_verification_method(vm_id, ctx, purpose=expected_purpose)
    except dids.KeyNotAvailable as exc:
        return Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"{name}: {exc.message}")
    except WalletError as exc:
        return failed(exc.message)
    if expected_controller is not None and method.controller != expected_controller:
        return failed(f"signed by {method.controller}, not by the issuer {expected_controller}")
    if not suite.accepts(method.public_key):
        return failed(f"{method.type or 'the key'} does not fit this suite")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return failed("proofValue is missing or not base58btc multibase")
    try:
        signature = base58.b58decode(value[1:])
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        data = hash_data(suite, unsecured, config, method.public_key)
    except jsonld.ContextNotBundled as exc:
        return Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"{name}: {exc.message}")
    except (MalformedInput, UnsupportedInput) as exc:
        return failed(exc.message)
    except ValueError:
        return failed("proofValue is not valid base58")
    try:
        key = method.public_key
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature_to_der(signature, key), data, ec.ECDSA(suite.hash_for(key)()))
    except (InvalidSignature, ValueError):
        return failed("the signature does not match the document (tampered or wrong key)")
    return Check(SIGNATURE, CheckStatus.PASSED, f"{name} by {method.id}")


def sign(
    document: dict[str, Any],
    key: PrivateKey,
    *,
    verification_method: str,
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    expires: str | None = None,
    cryptosuite: str = "eddsa-rdfc-2022",
) -> dict[str, Any]:
    """A copy of ``document`` with a new proof added (to a proof set if one exists)."""
    suite = SUITES.get(cryptosuite)
    if suite is None:
        raise UnsupportedInput(f"cannot sign with suite {cryptosuite}")
    if not suite.accepts(key.public_key()):
        raise UnsupportedInput(f"{cryptosuite} cannot sign with this key type")
    doc = copy.deepcopy(document)
    contexts = doc.get("@context")
    # The proof's own terms must be defined by the document's contexts, or rdfc drops them.
    if isinstance(contexts, list):
        legacy = cryptosuite == "Ed25519Signature2020"
        needed = ED25519_2020 if legacy else DI_V2 if CRED_V1 in contexts else None
        if needed and needed not in contexts:
            contexts.append(needed)
    existing = proofs_of(doc)
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    proof: dict[str, Any] = (
        {"type": "Ed25519Signature2020"}
        if cryptosuite == "Ed25519Signature2020"
        else {"type": "DataIntegrityProof", "cryptosuite": cryptosuite}
    )
    proof["created"] = created or datetime.now(UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z"
    )
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    if expires is not None:
        proof["expires"] = expires
    data = hash_data(suite, unsecured, proof, key.public_key())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.sign(data)
    else:
        raw = suite.der_to_raw(key.sign(data, ec.ECDSA(suite.hash_for(key.public_key())())), key)
    proof["proofValue"] = "z" + base58.b58encode(raw).decode("ascii")
    doc["proof"] = [*existing, proof] if existing else proof
    return doc


__all__ = ["NOT_SUPPORTED", "SUITES", "Suite", "proofs_of", "sign", "suite_name", "verify"]
