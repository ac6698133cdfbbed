"""Per-suite transformation and hashing: what exactly gets signed.

rdfc suites canonicalise with RDFC-1.0, jcs suites with JCS (RFC 8785); the signed bytes
are hash(canonical proof options) || hash(canonical document), proof options first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from wallet.errors import MalformedInput
from wallet.verify import jsonld
from wallet.verify.keys import PublicKey


@dataclass(frozen=True)
class Suite:
    name: str
    canonicalization: str  # "rdfc" or "jcs"
    curve: str  # "ed25519" or "ecdsa"

    def accepts(self, key: Any) -> bool:
        if self.curve == "ed25519":
            return isinstance(key, ed25519.Ed25519PublicKey)
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in (
            "secp256r1",
            "secp384r1",
        )

    @staticmethod
    def hash_for(key: PublicKey) -> type[hashes.SHA256] | type[hashes.SHA384]:
        if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1":
            return hashes.SHA384
        return hashes.SHA256

    @staticmethod
    def der_to_raw(der: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite("eddsa-rdfc-2022", "rdfc", "ed25519"),
        Suite("eddsa-jcs-2022", "jcs", "ed25519"),
        Suite("ecdsa-rdfc-2019", "rdfc", "ecdsa"),
        Suite("Ed25519Signature2020", "rdfc", "ed25519"),
    )
}


def signature_to_der(raw: bytes, key: ec.EllipticCurvePublicKey) -> bytes:
    size = (key.curve.key_size + 7) // 8
    if len(raw) != 2 * size:
        raise ValueError("wrong ECDSA signature length")
    r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    return encode_dss_signature(r, s)


def _jcs(value: Any) -> bytes:
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedInput(f"cannot canonicalise with JCS: {exc}") from None


def hash_data(
    suite: Suite, unsecured: dict[str, Any], proof_config: dict[str, Any], key: PublicKey
) -> bytes:
    config = dict(proof_config)
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    # ecdsa-rdfc-2019 hashes with the curve's hash: SHA-384 for P-384, else SHA-256.
    digest: Callable[[bytes], Any] = (
        hashlib.sha384 if suite.hash_for(key) is hashes.SHA384 else hashlib.sha256
    )
    if suite.canonicalization == "jcs":
        return bytes(digest(_jcs(config)).digest() + digest(_jcs(unsecured)).digest())
    jsonld.check_contexts_bundled(unsecured)
    # Proof options repeat (the same credential verified again at every refresh, one status
    # list credential per credential pointing at it): memoised on their exact JSON text.
    canon_proof = jsonld.canonize_memoised(config)
    canon_doc = jsonld.canonize(unsecured).encode("utf-8")
    return bytes(digest(canon_proof).digest() + digest(canon_doc).digest())
