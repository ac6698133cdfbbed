"""VC-JWT: VC 1.1 as a JWT with a ``vc`` claim, and VC-JOSE (``typ: vc+jwt``) where the
JWT payload is the VC 2.0 document itself. Signature checks go through verify/jws.py.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from typing import Any

from wallet.errors import MalformedInput
from wallet.formats.vc_jsonld import issuer_id, normalize_vc
from wallet.model import SIGNATURE, Check, CheckStatus, Credential
from wallet.verify import jws, memo
from wallet.verify.context import VerifyContext
from wallet.verify.period import parse_datetime

FORMAT = "vc-jwt"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


def _text_of(data: bytes) -> str:
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise MalformedInput("a JWT must be ASCII text") from None


def _iso(seconds: Any, claim: str) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise MalformedInput(f"JWT claim {claim} must be a number of seconds")
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        raise MalformedInput(f"JWT claim {claim} is out of range") from None


def credential_document(payload: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The VC document inside a JWT payload, and the issuer the JWT claims (``iss``)."""
    iss = payload.get("iss")
    if iss is not None and not isinstance(iss, str):
        raise MalformedInput("JWT claim iss must be a string")
    if "vc" not in payload:
        return payload, iss or issuer_id(payload)
    vc = payload["vc"]
    if not isinstance(vc, dict):
        raise MalformedInput("the vc claim must be a JSON object")
    doc = copy.deepcopy(vc)
    doc.setdefault("@context", [VC1_CONTEXT])
    # VC 1.1 JWT encoding: registered claims stand for their VC properties.
    if iss and "issuer" not in doc:
        doc["issuer"] = iss
    if "nbf" in payload and "issuanceDate" not in doc:
        doc["issuanceDate"] = _iso(payload["nbf"], "nbf")
    if "exp" in payload and "expirationDate" not in doc:
        doc["expirationDate"] = _iso(payload["exp"], "exp")
    if isinstance(payload.get("jti"), str) and "id" not in doc:
        doc["id"] = payload["jti"]
    subject = doc.get("credentialSubject")
    if isinstance(payload.get("sub"), str) and isinstance(subject, dict) and "id" not in subject:
        subject["id"] = payload["sub"]
    return doc, iss or issuer_id(doc)


def bounded_by_jwt_times(credential: Credential, payload: dict[str, Any]) -> Credential:
    """The JWT's own ``nbf``/``exp`` bound the validity period too: a JWT whose ``exp`` has
    passed is expired even if the VC inside claims a later (or no) end date."""
    start, until = credential.valid_from, credential.valid_until
    if "nbf" in payload:
        nbf = _iso(payload["nbf"], "nbf")
        if start is None or _earlier(start, nbf):
            start = nbf
    if "exp" in payload:
        exp = _iso(payload["exp"], "exp")
        if until is None or _earlier(exp, until):
            until = exp
    if (start, until) == (credential.valid_from, credential.valid_until):
        return credential
    return dataclasses.replace(credential, valid_from=start, valid_until=until)


def _earlier(a: str, b: str) -> bool:
    # An unreadable VC date is left in place for the validity-period check to report.
    try:
        return parse_datetime(a) < parse_datetime(b)
    except MalformedInput:
        return False


def parse(data: bytes) -> Credential:
    return parse_parsed(data, jws.parse_compact(_text_of(data)))


def parse_parsed(data: bytes, token: object) -> Credential:
    """parse(data) from the token detection already parsed out of these exact bytes."""
    if not isinstance(token, jws.CompactJWS):
        return parse(data)
    payload = token.payload_json()
    doc, iss = credential_document(payload)
    media = "application/vc+jwt" if token.header.get("typ") == "vc+jwt" else "application/jwt"
    credential = normalize_vc(doc, fmt=FORMAT, raw=data, media_type=media)
    # What verify_signature needs, from this same parse: the token's signed parts (a fresh
    # CompactJWS: the payload object above is the credential's document, which its users
    # may touch) and the issuers the payload names, all immutable from here on.
    _remember(
        data,
        jws.CompactJWS(token.text, token.header, token.payload, token.signature),
        iss,
        issuer_id(doc),
    )
    return bounded_by_jwt_times(credential, payload)


# raw bytes -> (token, iss, the VC's issuer), from the parse of those exact bytes: the
# verification that follows a parse reads nothing twice. Bounded; a miss parses again.
_parsed: dict[bytes, tuple[jws.CompactJWS, str | None, str | None]] = {}
MAX_PARSED = 16
MAX_PARSED_BYTES = 256 * 1024  # a larger token is parsed again rather than kept


def _remember(data: bytes, token: jws.CompactJWS, iss: str | None, inner: str | None) -> None:
    if len(data) > MAX_PARSED_BYTES:
        return
    memo.keep(_parsed, data, (token, iss, inner), MAX_PARSED)


def _signed_parts(data: bytes) -> tuple[jws.CompactJWS, str | None, str | None]:
    found = _parsed.get(data)
    if found is not None:
        return found
    token = jws.parse_compact(_text_of(data))
    doc, iss = credential_document(token.payload_json())
    return token, iss, issuer_id(doc)


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    token, iss, inner = _signed_parts(credential.raw)
    if iss and inner and iss != inner:
        return [Check(SIGNATURE, CheckStatus.FAILED, f"iss {iss} differs from the issuer {inner}")]
    return [jws.verify_issuer_signature(token, iss, ctx)]
