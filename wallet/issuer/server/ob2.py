"""Open Badges 2.0 hosted documents (issuer profile, badge class, assertions, revocation
list), the badge image, a baked PNG of an assertion and a baked SVG of an OB 3.0 credential.

Hosted verification: the assertion lives at its own id URL on the issuer's host, and
the issuer profile names its revocation list. Every document is built again from the
register on each request, the same bytes each time, so the wallet's copy and the
issuer's hosted copy compare equal until the issuer revokes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

from wallet.formats import baking
from wallet.issuer.server import credentials
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.keys import COLLEGE_NAME
from wallet.issuer.server.state import Issued

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
BADGE_ID = "data-analytics-foundations"
REVOCATION_REASON = "Revoked by the issuer"


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(config: IssuerConfig) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": config.url("/ob2/issuer"),
        "name": COLLEGE_NAME,
        "url": config.base_url,
        "email": "badges@harbourview-college.example",
        "description": "Continuing education and micro-credentials in applied technology.",
        "revocationList": config.ob2_revocations_url,
    }


def badge_class(config: IssuerConfig, badge_id: str) -> dict[str, Any] | None:
    if badge_id != BADGE_ID:
        return None
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": config.url(f"/ob2/badges/{BADGE_ID}"),
        "name": credentials.PROGRAMME,
        "description": credentials.DESCRIPTION,
        "image": config.url(f"/ob2/badges/{BADGE_ID}.png"),
        "criteria": {"narrative": credentials.CRITERIA},
        "issuer": config.url("/ob2/issuer"),
        "tags": ["data analytics", "micro-credential", "continuing education"],
        "alignment": [
            {
                "targetName": name,
                "targetUrl": credentials.ESCO_SKILL + uuid,
                "targetFramework": "ESCO",
                "targetCode": uuid,
            }
            for name, uuid in credentials.SKILLS
        ],
    }


def assertion(config: IssuerConfig, record: Issued, *, hosted: bool = True) -> dict[str, Any]:
    """The assertion of ``record``; the hosted copy of a revoked one says so (OB 2.0:
    a hosted assertion answers ``revoked: true`` once revoked)."""
    email = record.subject or ""
    salt = hashlib.sha256(f"salt:{record.id}".encode()).hexdigest()[:16]
    identity = "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": config.url(f"/ob2/assertions/{record.id}"),
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": identity},
        "badge": config.url(f"/ob2/badges/{BADGE_ID}"),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(record.issued_at),
        "evidence": [
            {"name": name, "narrative": narrative} for name, narrative in credentials.EVIDENCE
        ],
    }
    if hosted and record.revoked:
        doc["revoked"] = True
        doc["revocationReason"] = REVOCATION_REASON
    return doc


def revocation_list(config: IssuerConfig, records: list[Issued]) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": config.ob2_revocations_url,
        "issuer": config.url("/ob2/issuer"),
        "revokedAssertions": [
            {"id": config.url(f"/ob2/assertions/{r.id}"), "revocationReason": REVOCATION_REASON}
            for r in records
            if r.kind == "ob2" and r.revoked
        ],
    }


@functools.lru_cache(maxsize=1)
def badge_image() -> bytes:
    """The badge's artwork: a ringed disc, drawn once (PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (256, 256), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill=(14, 94, 111, 255))
    draw.ellipse((36, 36, 220, 220), outline=(242, 201, 76, 255), width=10)
    draw.rectangle((84, 150, 104, 180), fill=(255, 255, 255, 255))
    draw.rectangle((118, 120, 138, 180), fill=(255, 255, 255, 255))
    draw.rectangle((152, 90, 172, 180), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def baked_png(config: IssuerConfig, record: Issued) -> bytes:
    """The badge image with the assertion (as issued, JSON) baked in."""
    payload = json.dumps(assertion(config, record, hosted=False), indent=2).encode()
    return baking.bake_png(badge_image(), payload, baking.OB2_KEYWORD)


_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
    '<circle cx="128" cy="128" r="120" fill="#0e5e6f"/>'
    '<circle cx="128" cy="128" r="92" fill="none" stroke="#f2c94c" stroke-width="10"/>'
    '<text x="128" y="138" font-family="sans-serif" font-size="28" fill="#fff" '
    'text-anchor="middle">Data Analytics</text></svg>'
)


def baked_svg(credential: bytes) -> bytes:
    """An OB 3.0 credential (JSON or VC-JWT) baked into the badge's SVG."""
    return baking.bake_svg(_SVG.encode(), credential.strip(), baking.OB3_KEYWORD)
