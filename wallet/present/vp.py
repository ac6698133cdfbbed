"""Verifiable Presentations for credentials without selective disclosure (shown whole):
a Data Integrity VP (eddsa-rdfc-2022, purpose authentication, challenge = nonce, domain =
audience) for JSON-LD credentials; for VC 2.0 JWTs a VC-JOSE ``vp+jwt`` whose payload is
the VP with each credential enveloped (``data:application/vc+jwt,...``); and for VC 1.1
JWTs and Open Badges 2.0 a VP-JWT with the 1.1 ``vp`` claim. Both JWT shapes carry aud,
nonce, iat (and exp) as JWT claims.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet.errors import MalformedInput, WalletError
from wallet.model import HOLDER_BINDING, SUBJECT_BINDING, Check, CheckStatus
from wallet.present.sdjwt import binding_claim_checks
from wallet.verify import dids, jws, suites
from wallet.verify.context import VerifyContext

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
VP_JOSE_TYP = "vp+jwt"
ENVELOPED = "EnvelopedVerifiableCredential"
VC_JWT_DATA_URL = "data:application/vc+jwt,"


def is_vc2_jwt(token: str) -> bool:
    """A VC-JOSE credential (``vc+jwt``, or a payload that is the VC itself), which a
    1.1 ``vp`` claim must not carry."""
    try:
        parsed = jws.parse_compact(token)
        payload = parsed.payload_json()
    except WalletError:
        return False
    return parsed.header.get("typ") == "vc+jwt" or (
        "vc" not in payload and "credentialSubject" in payload
    )


def envelope_credential(token: str) -> dict[str, Any]:
    return {"@context": VC2, "id": VC_JWT_DATA_URL + token, "type": ENVELOPED}


def unenvelope(value: Any) -> Any:
    """The compact JWT inside an EnvelopedVerifiableCredential of a VC-JOSE credential;
    any other value unchanged (then it is reported as a credential that cannot be read)."""
    if not isinstance(value, dict):
        return value
    types = value.get("type")
    types = types if isinstance(types, list) else [types]
    ident = value.get("id")
    if ENVELOPED in types and isinstance(ident, str) and ident.startswith(VC_JWT_DATA_URL):
        return ident[len(VC_JWT_DATA_URL) :]
    return value


def _binding_claims(
    holder_did: str, audience: str, nonce: str, iat: int | None, exp: int | None
) -> dict[str, Any]:
    """The JWT claims that bind a VP-JWT to its holder, verifier and moment."""
    claims: dict[str, Any] = {
        "iss": holder_did,
        "aud": audience,
        "nonce": nonce,
        "iat": iat if iat is not None else int(time.time()),
    }
    if exp is not None:
        claims["exp"] = exp
    return claims


def make_vp_jose(
    tokens: list[str],
    holder_key: jws.PrivateKey,
    holder_did: str,
    kid: str,
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
    exp: int | None = None,
) -> str:
    payload: dict[str, Any] = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [envelope_credential(t) for t in tokens],
        **_binding_claims(holder_did, audience, nonce, iat, exp),
    }
    return jws.sign_compact(
        payload, holder_key, headers={"kid": kid, "typ": VP_JOSE_TYP, "cty": "vp"}
    )


def make_vp_jwt(
    credentials: list[str | dict[str, Any]],
    holder_key: jws.PrivateKey,
    holder_did: str,
    kid: str,
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
    exp: int | None = None,
) -> str:
    payload: dict[str, Any] = {
        **_binding_claims(holder_did, audience, nonce, iat, exp),
        "vp": {
            "@context": [VC1],
            "type": ["VerifiablePresentation"],
            "holder": holder_did,
            "verifiableCredential": credentials,
        },
    }
    return jws.sign_compact(payload, holder_key, headers={"kid": kid, "typ": "JWT"})


def make_vp_ldp(
    credentials: list[dict[str, Any]],
    holder_key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
    holder_did: str,
    verification_method: str,
    *,
    challenge: str,
    domain: str,
    created: str | None = None,
    expires: str | None = None,
) -> dict[str, Any]:
    vp = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": credentials,
    }
    return suites.sign(
        vp,
        holder_key,
        verification_method=verification_method,
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
        created=created,
        expires=expires,
        cryptosuite="eddsa-rdfc-2022"
        if holder_key.__class__.__name__.startswith("Ed25519")
        else "ecdsa-rdfc-2019",
    )


def subject_of(credential: str | dict[str, Any]) -> str | None:
    """The holder DID a credential is about (credentialSubject.id, or a VC-JWT's sub)."""
    if isinstance(credential, str):
        try:
            payload = jws.parse_compact(credential).payload_json()
        except WalletError:
            return None
        if isinstance(payload.get("sub"), str):
            return str(payload["sub"])
        credential = payload.get("vc", payload)
    if not isinstance(credential, dict):  # junk in verifiableCredential: bound to nobody
        return None
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def subject_binding(credential: Any, holder: str, position: int = 1) -> Check:
    """Whether a credential shown whole in a VP is about the holder who signed the VP."""
    subject = subject_of(credential)
    if subject is None:
        return Check(
            SUBJECT_BINDING,
            CheckStatus.NOT_CHECKED,
            f"credential {position} names no key of its subject: nothing ties it to the"
            " person presenting it",
        )
    if dids.did_of(subject) != dids.did_of(holder):
        return Check(
            SUBJECT_BINDING,
            CheckStatus.FAILED,
            f"credential {position} is about {subject}, but {holder} presented it",
        )
    return Check(SUBJECT_BINDING, CheckStatus.PASSED, f"credential {position} is about {holder}")


def _subject_checks(credentials: list[Any], holder: str) -> list[Check]:
    return [subject_binding(c, holder, i) for i, c in enumerate(credentials, 1)]


def verify_vp_jwt(
    text: str, ctx: VerifyContext, *, audience: str, nonce: str, max_age_s: int = 300
) -> tuple[list[Any], list[Check]]:
    """A VP-JWT with the 1.1 ``vp`` claim, or a VC-JOSE ``vp+jwt`` whose payload is the VP."""
    token = jws.parse_compact(text)
    payload = token.payload_json("VP-JWT")
    vp = payload if token.header.get("typ") == VP_JOSE_TYP and "vp" not in payload else None
    vp = payload.get("vp") if vp is None else vp
    types = vp.get("type") if isinstance(vp, dict) else None
    if not isinstance(vp, dict) or "VerifiablePresentation" not in (
        types if isinstance(types, list) else [types]
    ):
        raise MalformedInput("a VP-JWT needs a vp claim, or typ vp+jwt and a VP as payload")
    holder = payload.get("iss", _holder_id(vp.get("holder")))
    if not isinstance(holder, str):
        raise MalformedInput("a VP-JWT must name its holder (iss)")
    named_id = _holder_id(vp.get("holder", holder))
    credentials = vp.get("verifiableCredential", [])
    credentials = [
        unenvelope(c) for c in (credentials if isinstance(credentials, list) else [credentials])
    ]
    signature = jws.verify_issuer_signature(token, holder, ctx)
    checks = [
        Check(
            HOLDER_BINDING, signature.status, f"presentation signed by {holder}: {signature.detail}"
        )
    ]
    if not isinstance(named_id, str) or dids.did_of(named_id) != dids.did_of(holder):
        checks.append(
            Check(HOLDER_BINDING, CheckStatus.FAILED, f"vp.holder {named_id!r} is not iss {holder}")
        )
    checks.extend(_subject_checks(credentials, holder))
    checks.extend(
        binding_claim_checks(payload, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s)
    )
    return credentials, checks


def _holder_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def verify_vp_ldp(
    vp: dict[str, Any], ctx: VerifyContext, *, audience: str, nonce: str, max_age_s: int = 300
) -> tuple[list[Any], list[Check]]:
    holder = vp.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    if not isinstance(holder_id, str):
        raise MalformedInput("the presentation names no holder")
    credentials = vp.get("verifiableCredential", [])
    credentials = credentials if isinstance(credentials, list) else [credentials]
    try:
        proofs = suites.proofs_of(vp)
    except MalformedInput as exc:
        proofs = []
        checks = [Check(HOLDER_BINDING, CheckStatus.FAILED, f"presentation proof: {exc.message}")]
    else:
        # The proof's challenge, domain, created and expires are signed proof options;
        # binding_claim_checks below reads them from the proof that was verified.
        signature = suites.verify(
            vp, ctx, expected_purpose="authentication", expected_controller=dids.did_of(holder_id)
        )
        checks = [
            Check(HOLDER_BINDING, c.status, f"presentation proof: {c.detail}") for c in signature
        ]
    if len(proofs) > 1:
        checks.append(
            Check(HOLDER_BINDING, CheckStatus.FAILED, "a presentation must carry one holder proof")
        )
    proof = proofs[0] if len(proofs) == 1 else {}
    checks.extend(_subject_checks(credentials, holder_id))
    claims = {
        "nonce": proof.get("challenge"),
        "aud": proof.get("domain"),
        "iat": _timestamp(proof.get("created")),
        "exp": _timestamp(proof["expires"]) if "expires" in proof else None,
    }
    checks.extend(
        binding_claim_checks(claims, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s)
    )
    if "expires" in proof and claims["exp"] is None:
        checks.append(
            Check("freshness", CheckStatus.FAILED, "the proof's expires is not a date-time")
        )
    return credentials, checks


def _timestamp(value: Any) -> float | None:
    """Seconds since the epoch of an XML Schema date-time with a time zone, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).timestamp()
