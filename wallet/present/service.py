"""Building and checking whole presentations: pick the right mechanism per credential,
bind everything to the verifier's nonce and audience, and verify all of it offline."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet import engine
from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.formats import registry
from wallet.model import (
    HOLDER_BINDING,
    SUBJECT_BINDING,
    Check,
    CheckStatus,
    Credential,
    Verdict,
    VerificationReport,
)
from wallet.present import sdjwt as present_sd
from wallet.present import vp
from wallet.present.envelope import Part, build_envelope, parse_envelope
from wallet.render import framework_components
from wallet.verify import keys
from wallet.verify.context import VerifyContext

JSONLD_FORMATS = frozenset({"vc-jsonld", "clr"})
JWT_FORMATS = frozenset({"vc-jwt", "ob2", "ob2-signed"})
_RANK = {
    Verdict.VALID: 0,
    Verdict.VALID_UNTRUSTED_ISSUER: 1,
    Verdict.UNBOUND: 2,
    Verdict.UNVERIFIABLE: 3,
    Verdict.INVALID: 4,
}


@dataclass(frozen=True)
class Signer:
    private_key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    did: str
    jwk: dict[str, Any]

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.did[len('did:key:') :]}"


@dataclass(frozen=True)
class Selection:
    credential: Credential
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Built:
    envelope: bytes
    notes: tuple[str, ...]


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def whole_credential_notes(selections: Sequence[Selection]) -> list[str]:
    """What the learner must be told before export: which credentials go out whole."""
    notes = []
    for s in selections:
        if not s.credential.disclosable:
            extra = " (the claims you picked cannot be shown on their own)" if s.paths else ""
            notes.append(
                f"'{s.credential.title}' has no selective disclosure: the whole credential"
                f" will be shown{extra}"
            )
    return notes


def build(
    selections: Sequence[Selection],
    signers: Sequence[Signer],
    *,
    audience: str,
    nonce: str,
    expires_in: int | None = None,
    now: int | None = None,
) -> Built:
    if not selections:
        raise UsageError("choose at least one credential to present")
    if not audience or not nonce:
        raise UsageError("a presentation needs the verifier's audience and nonce")
    iat = now if now is not None else int(time.time())
    exp = iat + expires_in if expires_in else None
    ed = next((s for s in signers if isinstance(s.private_key, ed25519.Ed25519PrivateKey)), None)
    if ed is None:
        raise UsageError("the wallet has no Ed25519 holder key")
    parts: list[Part] = []
    jsonld: list[dict[str, Any]] = []
    jwts: list[str | dict[str, Any]] = []
    vc2_jwts: list[str] = []
    for selection in selections:
        c = selection.credential
        if c.format == "sd-jwt":
            holder = c.holder_jwk
            bound = (s for s in signers if holder and keys.same_public_jwk(s.jwk, holder))
            signer = next(bound, None)
            if signer is None:
                raise UsageError(f"'{c.title}' is bound to a key that is not in this wallet")
            text = c.raw.decode("ascii").strip()
            parts.append(
                Part(
                    "sd-jwt",
                    present_sd.present(
                        text,
                        selection.paths,
                        signer.private_key,
                        audience=audience,
                        nonce=nonce,
                        iat=iat,
                        exp=exp,
                    ),
                )
            )
        elif c.format in JSONLD_FORMATS:
            jsonld.append(json.loads(c.raw))
        elif c.format in JWT_FORMATS:
            raw = c.raw.decode("utf-8").strip()
            if raw.startswith("{"):
                jwts.append(json.loads(raw))
            elif vp.is_vc2_jwt(raw):
                vc2_jwts.append(raw)
            else:
                jwts.append(raw)
        else:
            raise UsageError(f"'{c.title}' ({c.format}) cannot be presented")
    if jsonld:
        document = vp.make_vp_ldp(
            jsonld,
            ed.private_key,
            ed.did,
            ed.verification_method,
            challenge=nonce,
            domain=audience,
            created=_iso(iat),
            expires=_iso(exp) if exp else None,
        )
        parts.append(Part("vp-ldp", document))
    # VC 1.1 JWTs and OB 2.0 go in the 1.1 `vp` claim; VC 2.0 JWTs are enveloped (vp+jwt).
    makers: list[tuple[Callable[..., str], Sequence[Any]]] = [
        (vp.make_vp_jwt, jwts),
        (vp.make_vp_jose, vc2_jwts),
    ]
    for make, items in makers:
        if items:
            token = make(
                list(items),
                ed.private_key,
                ed.did,
                ed.verification_method,
                audience=audience,
                nonce=nonce,
                iat=iat,
                exp=exp,
            )
            parts.append(Part("vp-jwt", token))
    envelope = build_envelope(parts, audience=audience, nonce=nonce, created=_iso(iat))
    return Built(envelope, tuple(whole_credential_notes(selections)))


# -- verifier side ---------------------------------------------------------------------------


@dataclass
class PresentedItem:
    format: str
    credential: Credential | None
    report: VerificationReport
    claims: dict[str, Any] | None = None  # what the verifier sees (SD-JWT: after disclosure)
    disclosed: list[str] = field(default_factory=list)
    whole: bool = True

    def to_dict(self) -> dict[str, Any]:
        c = self.credential
        return {
            "format": self.format,
            "title": c.title if c else None,
            "issuer": (c.issuer.name or c.issuer.id) if c else None,
            "verdict": self.report.verdict.value,
            "checks": [x.to_dict() for x in self.report.checks],
            "whole_credential": self.whole,
            "disclosed": self.disclosed,
            "claims": self.claims,
            # What the credential states, as `wallet show` reads it; for an SD-JWT only
            # from what was disclosed (and signed in the clear).
            "achievement": c.achievement.name if c and c.achievement else None,
            "components": [
                {"name": comp.name, "present": comp.present, "lines": list(comp.lines)}
                for comp in (framework_components(c, self.report) if c else [])
            ],
        }


@dataclass
class PresentationResult:
    items: list[PresentedItem]

    @property
    def verdict(self) -> Verdict:
        if not self.items:
            return Verdict.INVALID
        return max((i.report.verdict for i in self.items), key=lambda v: _RANK[v])

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict.value, "credentials": [i.to_dict() for i in self.items]}


def _report(checks: list[Check], ctx: VerifyContext) -> VerificationReport:
    return VerificationReport(tuple(checks), ctx.now.isoformat())


def _ensure_holder_binding(checks: list[Check]) -> list[Check]:
    """No presented item is judged without its presenter's proof being checked."""
    if any(c.name == HOLDER_BINDING for c in checks):
        return checks
    return [*checks, Check(HOLDER_BINDING, CheckStatus.NOT_CHECKED, "no holder proof was checked")]


def _whole_items(
    fmt: str, credentials: list[Any], checks: list[Check], ctx: VerifyContext
) -> list[PresentedItem]:
    """One item per credential of a VP: the VP's own checks, plus that credential's
    subject binding (the VP verifiers return one subject_binding check per credential)."""
    common = [c for c in checks if c.name != SUBJECT_BINDING]
    subjects = [c for c in checks if c.name == SUBJECT_BINDING]
    items = []
    for i, value in enumerate(credentials):
        subject = (
            subjects[i]
            if len(subjects) == len(credentials)
            else Check(SUBJECT_BINDING, CheckStatus.NOT_CHECKED, "the subject was not checked")
        )
        items.append(_whole(fmt, value, _ensure_holder_binding([*common, subject]), ctx))
    return items


def _whole(
    fmt: str, credential_value: Any, binding: list[Check], ctx: VerifyContext
) -> PresentedItem:
    data = (
        credential_value.encode("utf-8")
        if isinstance(credential_value, str)
        else json.dumps(credential_value).encode("utf-8")
    )
    try:
        credential = registry.parse(data)
    except WalletError as exc:
        return PresentedItem(
            fmt, None, _report([Check("format", CheckStatus.FAILED, exc.message), *binding], ctx)
        )
    report = engine.verify_credential(credential, ctx)
    claims = credential.document if isinstance(credential.document, dict) else None
    return PresentedItem(fmt, credential, _report([*report.checks, *binding], ctx), claims)


def verify(
    envelope_bytes: bytes,
    ctx: VerifyContext,
    *,
    audience: str,
    nonce: str,
    max_age_s: int = 300,
) -> PresentationResult:
    envelope = parse_envelope(envelope_bytes)
    items: list[PresentedItem] = []
    for part in envelope.parts:
        if part.format == "sd-jwt" and isinstance(part.data, str):
            result = present_sd.verify_presentation(
                part.data, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s
            )
            if result.credential is None:
                items.append(
                    PresentedItem("sd-jwt", None, _report(result.checks, ctx), whole=False)
                )
                continue
            # The issuer's checks were made on the very bytes the credential holds.
            issuer = [c for c in result.checks if c.name in present_sd.ISSUER_CHECKS]
            report = engine.verify_credential(result.credential, ctx, signatures=issuer)
            binding = _ensure_holder_binding(
                [c for c in result.checks if c.name not in present_sd.ISSUER_CHECKS]
            )
            items.append(
                PresentedItem(
                    "sd-jwt",
                    result.credential,
                    # The same clock reading as the credential's report: no second isoformat.
                    VerificationReport((*report.checks, *binding), report.verified_at),
                    result.claims,
                    result.disclosed,
                    whole=False,
                )
            )
        elif part.format == "vp-jwt" and isinstance(part.data, str):
            credentials, binding = vp.verify_vp_jwt(
                part.data, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s
            )
            items.extend(_whole_items("vp-jwt", credentials, binding, ctx))
        elif part.format == "vp-ldp" and isinstance(part.data, dict):
            credentials, binding = vp.verify_vp_ldp(
                part.data, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s
            )
            items.extend(_whole_items("vp-ldp", credentials, binding, ctx))
        else:
            raise MalformedInput(f"presentation part of format {part.format} is malformed")
    if not items:
        raise MalformedInput("the presentation holds no credential")
    return PresentationResult(items)
