"""The micro-credential the reference issuer awards, in each format it issues.

"Data Analytics Foundations" from a college: ESCO-aligned skills (real ESCO skill URIs),
assessment evidence, credits and a grade, and an endorsement by an industry partner
(an EndorsementCredential signed by the partner's own did:web key). Formats:

- ``ldp_vc``: Open Badges 3.0, eddsa-rdfc-2022 by ``did#key-1`` (wallet.issuer.samples);
- ``jwt_vc_json``: the same OB 3.0 credential as VC-JOSE (typ vc+jwt, ES256, ``did#key-2``);
- ``dc+sd-jwt``: SD-JWT VC with the personal and result claims selectively disclosable
  (wallet.present.sdjwt.issue), ES256 by ``key-2`` of the issuer's jwt-vc-issuer metadata.

Every credential gets a status entry: Bitstring for the OB 3.0 forms, the Token Status
List for SD-JWT VC.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallet.errors import UsageError
from wallet.issuer.samples import ob3_credential, sign
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.keys import IssuerKeys
from wallet.issuer.server.state import (
    BITSTRING,
    OB2,
    SAMPLE_RECIPIENT,
    TOKEN,
    Issued,
    StateStore,
)
from wallet.present import sdjwt as present_sd
from wallet.verify import jws

LDP_VC = "ldp_vc"
JWT_VC = "jwt_vc_json"
SD_JWT = "dc+sd-jwt"
FORMATS = (LDP_VC, JWT_VC, SD_JWT)
MEDIA_TYPES = {
    LDP_VC: "application/vc+ld+json",
    JWT_VC: "application/vc+jwt",
    SD_JWT: "application/dc+sd-jwt",
    OB2: "application/json",
}

PROGRAMME = "Data Analytics Foundations"
DESCRIPTION = (
    "A 12-week continuing-education programme: querying, cleaning and analysing business "
    "data, and presenting the findings."
)
CRITERIA = (
    "Completed all four modules, passed a proctored practical exam (70% or more) and a "
    "rubric-assessed capstone project."
)
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
SKILLS = (
    ("SQL", "598de5b0-5b58-4ea7-8058-a4bc4d18c742"),
    ("statistics", "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"),
    ("use spreadsheets software", "1973c966-f236-40c9-b2d4-5d71a89019be"),
    ("Python (computer programming)", "ccd0a1d9-afda-43d9-b901-96344886e14d"),
)
EVIDENCE = (
    ("Proctored practical exam", "Two-hour exam on SQL queries and descriptive statistics: 86%."),
    (
        "Capstone project",
        "Analysed three years of regional retail sales and presented a demand forecast; "
        "assessed against the programme rubric by two instructors.",
    ),
)
CREDITS = 3.0
GRADE = "A-"


@dataclass(frozen=True)
class Learner:
    given_name: str = "Alex"
    family_name: str = "Learner"
    student_number: str = "HV-2026-30417"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Holder:
    """The key a credential is bound to: a public JWK and its DID (did:key / did:jwk)."""

    jwk: dict[str, Any] | None = None
    did: str | None = None


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ob3_document(
    config: IssuerConfig,
    keys: IssuerKeys,
    credential_id: str,
    holder: Holder,
    status_index: int,
    now: int,
    learner: Learner = Learner(),
) -> dict[str, Any]:
    """The unsigned OB 3.0 credential (its endorsement already signed by the partner)."""
    doc = ob3_credential(
        keys.eddsa,
        credential_id=credential_id,
        subject_id=holder.did or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_id)}",
        subject_name=learner.name,
        achievement_name=PROGRAMME,
        description=DESCRIPTION,
        criteria=CRITERIA,
        valid_from=_iso(now),
        skills=tuple((name, code, "") for name, code in SKILLS),
        evidence=EVIDENCE,
        credits=CREDITS,
        grade=GRADE,
        endorser=keys.partner,
        field_of_study="Data Analytics",
    )
    doc["credentialStatus"] = {
        "id": f"{config.bitstring_url}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status_index),
        "statusListCredential": config.bitstring_url,
    }
    return doc


def ldp_vc(doc: dict[str, Any], keys: IssuerKeys) -> dict[str, Any]:
    return sign(doc, keys.eddsa)


def vc_jwt(doc: dict[str, Any], keys: IssuerKeys, now: int) -> str:
    # VC 2.0 over JOSE: the credential is the payload (no VC 1.1 ``vc`` claim).
    payload = {**doc, "iss": keys.es256.did, "iat": now}
    headers = {"kid": keys.es256.verification_method, "typ": "vc+jwt", "cty": "vc"}
    return jws.sign_compact(payload, keys.es256.key, headers=headers)


SD_DISCLOSABLE = [
    "given_name",
    "family_name",
    "student_number",
    "grade",
    "credits",
    "assessment",
    "skills.0",
    "skills.1",
    "skills.2",
    "skills.3",
]


def sd_jwt(
    config: IssuerConfig,
    keys: IssuerKeys,
    holder: Holder,
    status_index: int,
    now: int,
    learner: Learner = Learner(),
) -> str:
    claims: dict[str, Any] = {
        "vct": config.url("/vct/programme"),
        "name": f"{PROGRAMME} (micro-credential)",
        "issuer_name": keys.es256.name,
        "programme": PROGRAMME,
        "given_name": learner.given_name,
        "family_name": learner.family_name,
        "student_number": learner.student_number,
        "grade": GRADE,
        "credits": CREDITS,
        "credit_system": "college credit hours",
        "assessment": [{"name": name, "result": result} for name, result in EVIDENCE],
        "skills": [name for name, _ in SKILLS],
        "endorsed_by": keys.partner.name,
        "awarded": _iso(now)[:10],
        "status": {"status_list": {"idx": status_index, "uri": config.token_list_url}},
    }
    return present_sd.issue(
        claims,
        SD_DISCLOSABLE,
        keys.es256.key,
        iss=config.base_url,
        kid="key-2",
        holder_jwk=holder.jwk,
        decoys=2,
        iat=now,
    )


def issue(
    store: StateStore,
    config: IssuerConfig,
    keys: IssuerKeys,
    kind: str,
    holder: Holder = Holder(),
    *,
    config_id: str | None = None,
    recipient: str | None = None,
) -> tuple[Issued, bytes]:
    """Issue one credential of ``kind`` (a format, or "ob2"), record it and keep its bytes."""
    now = int(time.time())
    credential_id = uuid.uuid4().hex
    with store.update() as state:
        if kind == OB2:
            record = Issued(
                credential_id, OB2, MEDIA_TYPES[OB2], OB2, 0, now, recipient or SAMPLE_RECIPIENT
            )
            store.record(state, record, None)
            return record, b""
        if kind not in FORMATS:
            raise UsageError(f"unknown credential kind {kind!r}; use one of {[*FORMATS, OB2]}")
        status_list = TOKEN if kind == SD_JWT else BITSTRING
        index = store.allocate(state, status_list)
        if kind == SD_JWT:
            data = sd_jwt(config, keys, holder, index, now).encode("ascii")
            subject = holder.did
        else:
            doc = ob3_document(config, keys, credential_id, holder, index, now)
            subject = doc["credentialSubject"]["id"]
            if kind == LDP_VC:
                data = json.dumps(ldp_vc(doc, keys), indent=2).encode()
            else:
                data = vc_jwt(doc, keys, now).encode("ascii")
        record = Issued(
            credential_id, kind, MEDIA_TYPES[kind], status_list, index, now, subject, config_id
        )
        store.record(state, record, data)
    return record, data
