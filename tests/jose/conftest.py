from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from wallet.verify import keys
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "sd-jwt"


def metadata_url(iss: str) -> str:
    scheme_host, _, path = iss.partition("://")[2].partition("/")
    return f"https://{scheme_host}/.well-known/jwt-vc-issuer" + (f"/{path}" if path else "")


def ctx_with_issuers(
    issuers: dict[str, dict[str, Any]], *, now: datetime | None = None
) -> VerifyContext:
    """A verification context whose cache holds jwt-vc-issuer metadata for each issuer."""
    cache = MemoryCache()
    for iss, jwk in issuers.items():
        url = metadata_url(iss)
        body = json.dumps({"issuer": iss, "jwks": {"keys": [jwk]}}).encode()
        cache.put(CachedDocument(url, body, datetime.now(UTC)))
    return VerifyContext(cache=cache, now=now or datetime.now(UTC))


def rfc_issuer_jwk() -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads((VECTORS / "issuer_public_jwk.json").read_text())
    return jwk


def rfc_ctx(now: datetime | None = None) -> VerifyContext:
    jwk = rfc_issuer_jwk()
    return ctx_with_issuers(
        {
            "https://issuer.example.com": jwk,
            "https://pid-issuer.bund.de.example": jwk,
            "https://example.com/issuer": jwk,
        },
        now=now,
    )


def jwt_payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def new_p256() -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, keys.jwk_from_public_key(key.public_key())
