"""Open Badges 2.0 fixtures built here (never copied from 1EdTech material)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from wallet.verify.context import CachedDocument, MemoryCache

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "openbadges-2.0"
OB2 = "https://w3id.org/openbadges/v2"
ISSUER = "https://badges.example.edu/issuer.json"
BADGE = "https://badges.example.edu/badges/robotics.json"
ASSERTION = "https://badges.example.edu/assertions/42.json"
KEY = "https://badges.example.edu/keys/1.json"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FETCHED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def to_bytes(doc: Any) -> bytes:
    return json.dumps(doc, indent=2).encode()


def issuer_profile() -> dict[str, Any]:
    return {
        "@context": OB2,
        "type": "Issuer",
        "id": ISSUER,
        "name": "Example College",
        "url": "https://badges.example.edu",
        "email": "badges@example.edu",
        "image": "https://badges.example.edu/logo.png",
        "revocationList": "https://badges.example.edu/revocations.json",
    }


def badge_class(issuer: Any = ISSUER) -> dict[str, Any]:
    return {
        "@context": OB2,
        "type": "BadgeClass",
        "id": BADGE,
        "name": "Robotics Fundamentals",
        "description": "Built and programmed a line-following robot.",
        "image": "https://badges.example.edu/badges/robotics.png",
        "criteria": {"id": "https://badges.example.edu/criteria", "narrative": "Pass the lab."},
        "tags": ["robotics", "stem"],
        "alignment": [
            {
                "targetName": "Program robots",
                "targetUrl": "http://data.europa.eu/esco/skill/abc",
                "targetDescription": "Write control programs.",
                "targetFramework": "ESCO",
                "targetCode": "S1.2",
            }
        ],
        "issuer": issuer,
    }


def assertion(badge: Any = BADGE, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": OB2,
        "type": "Assertion",
        "id": ASSERTION,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "pepper",
            "identity": "sha256$" + "ab" * 32,
        },
        "badge": badge,
        "issuedOn": "2026-01-15T10:00:00Z",
        "narrative": "Led the team build.",
        "evidence": [{"id": "https://portfolio.example/robot", "narrative": "Video of the run."}],
        "verification": {"type": "HostedBadge"},
    }
    doc.update(extra)
    return doc


def cache_of(docs: dict[str, bytes], fetched: datetime = FETCHED) -> MemoryCache:
    return MemoryCache({u: CachedDocument(u, d, fetched) for u, d in docs.items()})


@dataclass(frozen=True)
class Signer:
    private_pem: bytes
    public_pem: str

    def key_doc(self, owner: str = ISSUER) -> dict[str, Any]:
        return {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": KEY,
            "owner": owner,
            "publicKeyPem": self.public_pem,
        }

    def sign(self, doc: dict[str, Any], alg: str = "RS256") -> bytes:
        key = RSAKey.import_key(self.private_pem)
        return jws.serialize_compact({"alg": alg}, json.dumps(doc).encode(), key).encode()


def _new_signer() -> Signer:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Signer(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )


@pytest.fixture(scope="session")
def signer() -> Signer:
    return _new_signer()


@pytest.fixture(scope="session")
def other_signer() -> Signer:
    return _new_signer()


@pytest.fixture
def heart() -> bytes:
    return (VECTORS / "unbaked_public_domain_heart.png").read_bytes()


@pytest.fixture
def baked_heart() -> bytes:
    return (VECTORS / "baked_heart.png").read_bytes()


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-note="a > b">'
    b'<circle cx="5" cy="5" r="4" fill="#36c"/></svg>\n'
)


@pytest.fixture
def svg() -> bytes:
    return SVG


@pytest.fixture
def build() -> Callable[..., dict[str, Any]]:
    return assertion


@pytest.fixture
def kit() -> ModuleType:
    """This module: its builders and constants, for tests (conftest cannot be imported)."""
    return sys.modules[__name__]
