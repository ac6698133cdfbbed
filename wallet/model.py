"""Frozen value types shared by formats, verification, the store, presentation and the UI."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    NOT_CHECKED = "not_checked"


class Verdict(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    VALID_UNTRUSTED_ISSUER = "valid_untrusted_issuer"
    UNVERIFIABLE = "unverifiable"
    # A presented credential that checks out but names no key of its subject, so nothing
    # ties it to the person presenting it: neither valid nor proven forged.
    UNBOUND = "unbound"


# Stable check names. The verdict rule below keys on SIGNATURE, HOLDER_BINDING,
# SUBJECT_BINDING and ISSUER_TRUST.
SIGNATURE = "signature"
VALIDITY_PERIOD = "validity_period"
STATUS = "status"
ISSUER_TRUST = "issuer_trust"
# The presenter's own proof (a KB-JWT by the cnf key, or a VP proof by the holder's key).
HOLDER_BINDING = "holder_binding"
# A whole credential shown in a VP: its subject is the holder who signed the VP.
SUBJECT_BINDING = "subject_binding"


@dataclass(frozen=True)
class Check:
    name: str
    status: CheckStatus
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class VerificationReport:
    checks: tuple[Check, ...]
    verified_at: str = ""

    @property
    def verdict(self) -> Verdict:
        """ARCHITECTURE.md section 4: any failure is invalid; no checked signature, or a
        presenter's proof that could not be checked, is unverifiable; a subject that cannot
        be tied to the presenter is unbound; an untrusted (or unchecked) issuer is
        valid_untrusted_issuer."""
        if any(c.status is CheckStatus.FAILED for c in self.checks):
            return Verdict.INVALID
        if not self._all_passed(SIGNATURE, required=True):
            return Verdict.UNVERIFIABLE
        if not self._all_passed(HOLDER_BINDING, required=False):
            return Verdict.UNVERIFIABLE
        if not self._all_passed(SUBJECT_BINDING, required=False):
            return Verdict.UNBOUND
        trust = [c for c in self.checks if c.name == ISSUER_TRUST]
        if not trust or any(c.status is not CheckStatus.PASSED for c in trust):
            return Verdict.VALID_UNTRUSTED_ISSUER
        return Verdict.VALID

    def _all_passed(self, name: str, *, required: bool) -> bool:
        found = [c for c in self.checks if c.name == name]
        if required and not found:
            return False
        return all(c.status is CheckStatus.PASSED for c in found)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "verified_at": self.verified_at,
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerificationReport:
        return cls(
            checks=tuple(
                Check(c["name"], CheckStatus(c["status"]), c.get("detail", ""))
                for c in data.get("checks", [])
            ),
            verified_at=data.get("verified_at", ""),
        )


@dataclass(frozen=True)
class Issuer:
    id: str | None = None
    name: str | None = None
    url: str | None = None
    image: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Alignment:
    target_name: str | None = None
    target_url: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None
    target_description: str | None = None

    @property
    def is_esco(self) -> bool:
        url = self.target_url or ""
        framework = (self.target_framework or "").lower()
        return "data.europa.eu/esco/" in url or framework.startswith("esco")


@dataclass(frozen=True)
class Evidence:
    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class Result:
    value: str | None = None
    status: str | None = None
    description: str | None = None
    achieved_level: str | None = None


@dataclass(frozen=True)
class Endorsement:
    issuer: Issuer = field(default_factory=Issuer)
    comment: str | None = None
    issued: str | None = None


@dataclass(frozen=True)
class Achievement:
    id: str | None = None
    name: str | None = None
    description: str | None = None
    achievement_type: str | None = None
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    credits_available: float | None = None
    level: str | None = None
    field_of_study: str | None = None
    specialization: str | None = None
    human_code: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    alignments: tuple[Alignment, ...] = ()


@dataclass(frozen=True)
class StatusRef:
    """A pointer into a status list (Bitstring, StatusList2021, IETF token status, OB 2.0)."""

    type: str
    list_url: str
    index: int
    purpose: str = "revocation"


@dataclass(frozen=True)
class Subject:
    id: str | None = None
    name: str | None = None
    # Other subject claims, flattened to "path -> display value" for the detail view.
    claims: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Credential:
    """The normalized view of one credential; ``raw`` keeps the original bytes untouched."""

    format: str
    raw: bytes
    title: str
    description: str | None = None
    issuer: Issuer = field(default_factory=Issuer)
    subject: Subject = field(default_factory=Subject)
    issued: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    achievement: Achievement | None = None
    credits_earned: float | None = None
    term: str | None = None
    results: tuple[Result, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    endorsements: tuple[Endorsement, ...] = ()
    status: tuple[StatusRef, ...] = ()
    # Claim paths the holder may disclose one by one (SD-JWT); empty: whole-credential only.
    disclosable: tuple[str, ...] = ()
    # The holder key the credential is bound to (SD-JWT ``cnf.jwk``), if any.
    holder_jwk: dict[str, Any] | None = None
    nested: tuple[Credential, ...] = ()
    media_type: str = "application/json"
    # The parsed wire document (JSON object, or JWT payload), for display and for verifiers.
    document: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``raw`` is carried as latin-1 text so bytes survive exactly."""
        data = dataclasses.asdict(self)
        _raw_to_text(data)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Credential:
        return _credential_from_dict(data)


def _raw_to_text(data: dict[str, Any]) -> None:
    data["raw"] = data["raw"].decode("latin-1")
    for nested in data["nested"]:
        _raw_to_text(nested)


def _issuer(d: dict[str, Any] | None) -> Issuer:
    return Issuer(**d) if d else Issuer()


def _achievement(d: dict[str, Any] | None) -> Achievement | None:
    if d is None:
        return None
    d = dict(d)
    d["tags"] = tuple(d.get("tags", ()))
    d["alignments"] = tuple(Alignment(**a) for a in d.get("alignments", ()))
    return Achievement(**d)


def _credential_from_dict(data: dict[str, Any]) -> Credential:
    d = dict(data)
    d["raw"] = d["raw"].encode("latin-1")
    d["issuer"] = _issuer(d.get("issuer"))
    subject = d.get("subject") or {}
    d["subject"] = Subject(
        id=subject.get("id"),
        name=subject.get("name"),
        claims=tuple((str(k), str(v)) for k, v in subject.get("claims", ())),
    )
    d["achievement"] = _achievement(d.get("achievement"))
    d["results"] = tuple(Result(**r) for r in d.get("results", ()))
    d["evidence"] = tuple(Evidence(**e) for e in d.get("evidence", ()))
    d["endorsements"] = tuple(
        Endorsement(
            issuer=_issuer(e.get("issuer")), comment=e.get("comment"), issued=e.get("issued")
        )
        for e in d.get("endorsements", ())
    )
    d["status"] = tuple(StatusRef(**s) for s in d.get("status", ()))
    d["disclosable"] = tuple(d.get("disclosable", ()))
    d["nested"] = tuple(_credential_from_dict(n) for n in d.get("nested", ()))
    return Credential(**d)
