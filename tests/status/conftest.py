"""Status lists built and signed here, plus a small real signature scheme for them.

The W3C list credentials are signed with Ed25519 over their sorted-key JSON (minus the
proof): a real signature the test verifier checks, so tampering is caught by the status
code path, without depending on the JSON-LD suite modules.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from joserfc import jws
from joserfc.jwk import ECKey

from wallet.errors import MalformedInput
from wallet.jsonguard import load_json_object
from wallet.model import SIGNATURE, Check, CheckStatus, Credential, Issuer, StatusRef
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

DCC = Path(__file__).resolve().parents[1] / "vectors" / "dcc-status"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FETCHED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
ISSUER = "did:example:issuer"
LIST_URL = "https://status.example/lists/1"
LIST_BITS = 131072  # 16 KiB, the Bitstring Status List minimum


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encoded_list(revoked: set[int], *, multibase: bool = True, size: int = LIST_BITS) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 = leftmost bit
    text = b64url(gzip.compress(bytes(bits)))
    return ("u" + text) if multibase else text


_LIST_KEY = ed25519.Ed25519PrivateKey.generate()


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in doc.items() if k != "proof"}, sort_keys=True).encode()


def sign_list(doc: dict[str, Any]) -> dict[str, Any]:
    signed = dict(doc)
    signed["proof"] = {"type": "TestEd25519", "sig": b64url(_LIST_KEY.sign(_canonical(doc)))}
    return signed


def list_credential(
    revoked: set[int] = frozenset(),  # type: ignore[assignment]
    *,
    purpose: str = "revocation",
    kind: str = "BitstringStatusList",
    issuer: str = ISSUER,
    encoded: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", f"{kind}Credential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": kind,
            "statusPurpose": purpose,
            "encodedList": encoded
            if encoded is not None
            else encoded_list(revoked, multibase=kind == "BitstringStatusList"),
        },
    }
    doc.update(extra)
    return sign_list(doc)


def parse_list(data: bytes) -> Credential:
    doc = load_json_object(data)
    issuer = doc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer, str):
        raise MalformedInput("status list has no issuer")
    return Credential(
        format="vc-jsonld",
        raw=data,
        title="status list",
        issuer=Issuer(id=issuer),
        valid_from=doc.get("validFrom"),
        valid_until=doc.get("validUntil"),
        document=doc,
    )


def verify_list(credential: Credential, ctx: VerifyContext) -> list[Check]:
    proof = credential.document.get("proof")
    if not isinstance(proof, dict):
        proof = {}
    if proof.get("type") != "TestEd25519":
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"unknown proof {proof.get('type')}")]
    try:
        sig = base64.urlsafe_b64decode(str(proof.get("sig")) + "==")
        _LIST_KEY.public_key().verify(sig, _canonical(credential.document))
    except (InvalidSignature, ValueError):
        return [Check(SIGNATURE, CheckStatus.FAILED, "bad signature")]
    return [Check(SIGNATURE, CheckStatus.PASSED, "ok")]


def credential(*refs: StatusRef, issuer: str = ISSUER) -> Credential:
    return Credential(
        format="vc-jsonld",
        raw=b"{}",
        title="A badge",
        issuer=Issuer(id=issuer),
        status=refs,
        document={"id": "urn:uuid:1"},
    )


def entry(index: int, purpose: str = "revocation", kind: str = "BitstringStatusListEntry"):
    return StatusRef(type=kind, list_url=LIST_URL, index=index, purpose=purpose)


def ctx(docs: dict[str, bytes], fetched: datetime = FETCHED, **kw: Any) -> VerifyContext:
    cache = MemoryCache({u: CachedDocument(u, d, fetched) for u, d in docs.items()})
    return VerifyContext(cache=cache, now=NOW, **kw)


def to_bytes(doc: Any) -> bytes:
    return json.dumps(doc).encode()


# -- IETF token status list -------------------------------------------------------------------

TOKEN_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_TOKEN_KEY = ec.generate_private_key(ec.SECP256R1())


def did_jwk(key: ec.EllipticCurvePrivateKey) -> str:
    jwk = ECKey.import_key(key.public_key()).as_dict(private=False)
    return "did:jwk:" + b64url(json.dumps(jwk, sort_keys=True).encode())


def token_list(values: dict[int, int], bits: int, size: int = 1024) -> str:
    data = bytearray(size * bits // 8)
    for index, value in values.items():
        position = index * bits
        data[position // 8] |= value << (position % 8)  # least significant bit first
    return b64url(zlib.compress(bytes(data)))


def status_token(
    values: dict[int, int],
    bits: int = 2,
    *,
    key: ec.EllipticCurvePrivateKey = TOKEN_KEY,
    kid_key: ec.EllipticCurvePrivateKey | None = None,
    **claims: Any,
) -> bytes:
    header = {"alg": "ES256", "typ": "statuslist+jwt", "kid": did_jwk(kid_key or key) + "#0"}
    payload = {
        "sub": LIST_URL,
        "iat": int(FETCHED.timestamp()),
        "status_list": {"bits": bits, "lst": token_list(values, bits)},
    }
    payload.update(claims)
    signing_key = ECKey.import_key(key)
    return jws.serialize_compact(header, json.dumps(payload).encode(), signing_key).encode()


@pytest.fixture
def st() -> ModuleType:
    """This module's builders (conftest modules cannot be imported by name)."""
    return sys.modules[__name__]
