"""The issuer's keys, derived from a seed in its state folder, and the documents that
publish them: the did:web documents (college and industry partner) and the SD-JWT VC
issuer metadata with its JWKS.

- ``key-1``: Ed25519, a Multikey in the DID document: eddsa-rdfc-2022 proofs (OB 3.0
  credentials, Bitstring status list credentials);
- ``key-2``: P-256, a JsonWebKey: ES256 for VC-JOSE, SD-JWT VC and the Token Status List;
- the partner's ``key-1``: Ed25519, signs the endorsement.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from wallet.issuer.samples import DemoIssuer
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.state import write_atomic
from wallet.verify import keys

COLLEGE_NAME = "Harbourview College of Applied Technology"
PARTNER_NAME = "Meridian Data Partners Inc."
SEED_FILE = "seed"
DID_CONTEXTS = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/jwk/v1",
]


def load_seed(state_dir: Path) -> str:
    """The state folder's seed (created on first use): every key derives from it."""
    path = state_dir / SEED_FILE
    try:
        seed = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        seed = secrets.token_hex(32)
        write_atomic(path, seed.encode("ascii"))
        path.chmod(0o600)
    if len(seed) != 64:
        raise ValueError(f"{path} does not hold a 64-digit hex seed")
    return seed


@dataclass(frozen=True)
class IssuerKeys:
    """Signers of one issuer: each a DemoIssuer bound to its did:web and key fragment."""

    eddsa: DemoIssuer  # did#key-1
    es256: DemoIssuer  # did#key-2
    partner: DemoIssuer  # partner did#key-1

    @classmethod
    def load(cls, config: IssuerConfig) -> IssuerKeys:
        seed = load_seed(config.state_dir)
        base = config.base_url
        partner_url = base + "/partner"
        eddsa = DemoIssuer.ed25519(COLLEGE_NAME, base, f"{seed}/key-1")
        es256 = DemoIssuer.p256(COLLEGE_NAME, base, f"{seed}/key-2")
        partner = DemoIssuer.ed25519(PARTNER_NAME, partner_url, f"{seed}/partner/key-1")
        return cls(
            eddsa=dataclasses.replace(eddsa, did_web=config.did, key_fragment="key-1"),
            es256=dataclasses.replace(es256, did_web=config.did, key_fragment="key-2"),
            partner=dataclasses.replace(partner, did_web=config.partner_did, key_fragment="key-1"),
        )

    def es256_jwk(self) -> dict[str, Any]:
        """The P-256 public JWK with kid ``key-2`` (JWKS, jwt-vc-issuer metadata)."""
        jwk = keys.jwk_from_public_key(self.es256.key.public_key())
        return {**jwk, "kid": "key-2", "alg": "ES256", "use": "sig"}

    def jwt_vc_issuer(self, config: IssuerConfig) -> dict[str, Any]:
        return {"issuer": config.base_url, "jwks": {"keys": [self.es256_jwk()]}}

    def did_document(self, *, without_signing_keys: bool = False) -> dict[str, Any]:
        """The college's did:web document; ``without_signing_keys`` lists only a key that
        signs nothing (the misbehaviour: a document that does not list the key used)."""
        did = self.eddsa.did
        if without_signing_keys:
            stranger = ed25519.Ed25519PrivateKey.generate().public_key()
            return _document(did, [_multikey(did, "key-9", stranger)])
        jwk = keys.jwk_from_public_key(self.es256.key.public_key())
        methods = [
            _multikey(did, "key-1", self.eddsa.key.public_key()),
            {"id": f"{did}#key-2", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk},
        ]
        return _document(did, methods)

    def partner_document(self) -> dict[str, Any]:
        did = self.partner.did
        return _document(did, [_multikey(did, "key-1", self.partner.key.public_key())])


def _multikey(did: str, fragment: str, public: keys.PublicKey) -> dict[str, Any]:
    return {
        "id": f"{did}#{fragment}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": keys.multikey_from_public_key(public),
    }


def _document(did: str, methods: list[dict[str, Any]]) -> dict[str, Any]:
    ids = [m["id"] for m in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }
