"""Sample credentials in the shapes issuers really ship, signed with demo keys.

Keys here are derived from fixed seeds so the demo is reproducible; they are demo keys,
published in this source, and must never be trusted outside the demo.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet.verify import keys, suites

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"


@dataclass(frozen=True)
class DemoIssuer:
    name: str
    url: str
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    # A did:web issuer (the reference server) names itself and its key; else did:key.
    did_web: str | None = None
    key_fragment: str = "key-1"

    @classmethod
    def ed25519(cls, name: str, url: str, seed: str) -> DemoIssuer:
        raw = hashlib.sha256(f"learner-wallet demo issuer {seed}".encode()).digest()
        return cls(name, url, ed25519.Ed25519PrivateKey.from_private_bytes(raw))

    @classmethod
    def p256(cls, name: str, url: str, seed: str) -> DemoIssuer:
        raw = hashlib.sha256(f"learner-wallet demo issuer {seed}".encode()).digest()
        value = int.from_bytes(raw, "big") % (2**256 - 2**224 + 2**192 + 2**96 - 1) or 1
        return cls(name, url, ec.derive_private_key(value, ec.SECP256R1()))

    @property
    def did(self) -> str:
        if self.did_web:
            return self.did_web
        return keys.did_key_from_public_key(self.key.public_key())

    @property
    def verification_method(self) -> str:
        if self.did_web:
            return f"{self.did_web}#{self.key_fragment}"
        return f"{self.did}#{self.did[len('did:key:') :]}"

    def profile(self) -> dict[str, Any]:
        return {"id": self.did, "type": ["Profile"], "name": self.name, "url": self.url}


def ob3_credential(
    issuer: DemoIssuer,
    *,
    credential_id: str,
    subject_id: str,
    subject_name: str,
    achievement_name: str,
    description: str,
    criteria: str,
    valid_from: str = "2026-05-01T00:00:00Z",
    valid_until: str | None = None,
    skills: tuple[tuple[str, str, str], ...] = (),
    evidence: tuple[tuple[str, str], ...] = (),
    credits: float | None = None,
    grade: str | None = None,
    endorser: DemoIssuer | None = None,
    field_of_study: str | None = None,
) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 AchievementCredential with the framework's components."""
    achievement: dict[str, Any] = {
        "id": f"{issuer.url}/achievements/{credential_id}",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": achievement_name,
        "description": description,
        "criteria": {"narrative": criteria},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": name,
                "targetUrl": ESCO_SKILL + uuid,
                "targetFramework": "ESCO",
                "targetCode": uuid,
                "targetType": "ceasn:Competency",
            }
            for name, uuid, _ in skills
        ],
    }
    if credits is not None:
        achievement["creditsAvailable"] = credits
    if field_of_study:
        achievement["fieldOfStudy"] = field_of_study
    if grade:
        achievement["resultDescription"] = [
            {
                "id": f"{issuer.url}/achievements/{credential_id}/grade",
                "type": ["ResultDescription"],
                "name": "Final grade",
                "resultType": "LetterGrade",
            }
        ]
    subject: dict[str, Any] = {
        "id": subject_id,
        "type": ["AchievementSubject"],
        "name": subject_name,
        "achievement": achievement,
    }
    if credits is not None:
        subject["creditsEarned"] = credits
    if grade:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": f"{issuer.url}/achievements/{credential_id}/grade",
                "value": grade,
            }
        ]
    doc: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"{issuer.url}/credentials/{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "validFrom": valid_from,
        "name": achievement_name,
        "credentialSubject": subject,
    }
    if valid_until:
        doc["validUntil"] = valid_until
    if evidence:
        doc["evidence"] = [
            {"type": ["Evidence"], "name": name, "narrative": narrative}
            for name, narrative in evidence
        ]
    if endorser is not None:
        doc["endorsement"] = [
            sign(
                {
                    "@context": [VC2_CONTEXT, OB3_CONTEXT],
                    "id": f"{endorser.url}/endorsements/{credential_id}",
                    "type": ["VerifiableCredential", "EndorsementCredential"],
                    "issuer": endorser.profile(),
                    "validFrom": valid_from,
                    "name": f"{endorser.name} endorses {achievement_name}",
                    "credentialSubject": {
                        "id": achievement["id"],
                        "type": ["EndorsementSubject"],
                        "endorsementComment": f"{endorser.name} recognises this micro-credential"
                        " for hiring.",
                    },
                },
                endorser,
            )
        ]
    return doc


def sign(doc: dict[str, Any], issuer: DemoIssuer, cryptosuite: str | None = None) -> dict[str, Any]:
    suite = cryptosuite or (
        "eddsa-rdfc-2022"
        if isinstance(issuer.key, ed25519.Ed25519PrivateKey)
        else "ecdsa-rdfc-2019"
    )
    return suites.sign(
        doc,
        issuer.key,
        verification_method=issuer.verification_method,
        cryptosuite=suite,
        created=doc.get("validFrom"),
    )
