"""Revocation and suspension status, checked offline against cached status lists.

Supported lists: W3C Bitstring Status List (VC 2.0), StatusList2021 (its predecessor),
the IETF Token Status List (a ``statuslist+jwt``) and the Open Badges 2.0 revocation list.

The rules (ARCHITECTURE.md section 4): a list we do not have is a ``warning``, never a
pass and never a failure; a set bit is a failure; a clean list passes with its age, and
a list older than ``ctx.status_stale_after`` turns that pass into a warning that says so.
A list whose own signature does not verify is a failure.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallet.errors import MalformedInput, WalletError
from wallet.jsonguard import b64url_decode, jwt_parts, load_json
from wallet.model import SIGNATURE, STATUS, Check, CheckStatus, Credential, StatusRef
from wallet.verify import dids, issuer_keys, jws
from wallet.verify.context import CachedDocument, VerifyContext
from wallet.verify.period import check_validity_period

# A decompressed list larger than this is refused (a 16 KiB gzip can inflate to GBs).
MAX_LIST_BYTES = 16 * 1024 * 1024
# Bitstring entries wider than a byte are not something any issuer uses.
MAX_STATUS_SIZE = 8

BITSTRING = "BitstringStatusListEntry"
STATUSLIST2021 = "StatusList2021Entry"
OB2_REVOCATION = "OB2RevocationList"
TOKEN_STATUS_LIST = "TokenStatusList"
# Names other modules may use for an IETF token status list reference.
_TOKEN_ALIASES = frozenset(
    {"tokenstatuslist", "status_list", "statuslist+jwt", "ietfstatuslist", "ietf-status-list"}
)

SignatureVerifier = Callable[[Credential, VerifyContext], list[Check]]
ListParser = Callable[[bytes], Credential]


class _Outcome(Exception):
    """Internal: stop checking one entry with this final check."""

    def __init__(self, status: CheckStatus, detail: str) -> None:
        super().__init__(detail)
        self.check = Check(STATUS, status, detail)


def _warn(detail: str) -> _Outcome:
    return _Outcome(CheckStatus.WARNING, detail)


@dataclass(frozen=True)
class _Lists:
    parse: ListParser
    verify: SignatureVerifier


@dataclass(frozen=True)
class _ListState:
    """What a list says about one entry: a value (0 = fine) and caveats."""

    value: int
    notes: tuple[str, ...] = ()


def check_status(
    credential: Credential,
    ctx: VerifyContext,
    *,
    verify_list: SignatureVerifier,
    parse_list: ListParser,
) -> list[Check]:
    """One STATUS check per status entry of ``credential``.

    A W3C status list is itself a credential: ``parse_list`` reads it and
    ``verify_list`` checks its signature. This module knows no format: the engine
    (wallet.engine) passes the format registry's ``parse`` and ``verify_signature``, the
    same code that handles any credential.
    """
    lists = _Lists(parse_list, verify_list)
    return [_check_one(credential, ref, ctx, lists) for ref in credential.status]


def _cached(ref: StatusRef, ctx: VerifyContext) -> CachedDocument:
    doc = ctx.cache.get(ref.list_url)
    if doc is None and "#" in ref.list_url:
        doc = ctx.cache.get(ref.list_url.split("#", 1)[0])
    if doc is None:
        raise _warn(f"status not checked: list not cached ({ref.list_url})")
    return doc


def _age_text(doc: CachedDocument, now: datetime) -> str:
    days = max(0, doc.age(now).days)
    when = doc.fetched_at.strftime("%Y-%m-%d")
    return f"list fetched {when}, {days} day{'s' if days != 1 else ''} ago"


def _check_one(credential: Credential, ref: StatusRef, ctx: VerifyContext, lists: _Lists) -> Check:
    kind = ref.type.lower()
    known = ref.type in (BITSTRING, STATUSLIST2021, OB2_REVOCATION) or kind in _TOKEN_ALIASES
    if not known:
        # Unknown mechanism: we cannot tell, and say so (a warning, never silence).
        detail = f"status not checked: status type {ref.type} is not supported"
        return Check(STATUS, CheckStatus.WARNING, detail)
    try:
        doc = _cached(ref, ctx)
        if ref.type in (BITSTRING, STATUSLIST2021):
            state = _vc_list_state(credential, ref, doc, ctx, lists)
        elif ref.type == OB2_REVOCATION:
            state = _ob2_list_state(credential, doc)
        else:
            state = _token_list_state(credential, ref, doc, ctx)
    except _Outcome as outcome:
        return outcome.check
    return _judge(ref, doc, state, ctx)


def _judge(ref: StatusRef, doc: CachedDocument, state: _ListState, ctx: VerifyContext) -> Check:
    age = _age_text(doc, ctx.now)
    notes = "".join(f"; {n}" for n in state.notes)
    if state.value:
        purpose = ref.purpose.lower()
        if ref.type.lower() in _TOKEN_ALIASES:
            # IETF values: 1 INVALID, 2 SUSPENDED, 3 and up application-specific.
            purpose = {1: "revocation", 2: "suspension"}.get(state.value, "other")
        if purpose == "revocation":
            return Check(STATUS, CheckStatus.FAILED, f"revoked ({age}){notes}")
        if purpose == "suspension":
            return Check(STATUS, CheckStatus.FAILED, f"suspended ({age}){notes}")
        detail = f"status {ref.purpose} is set: {state.value} ({age}){notes}"
        return Check(STATUS, CheckStatus.WARNING, detail)
    if state.notes:
        return Check(STATUS, CheckStatus.WARNING, f"not {_word(ref)} ({age}){notes}")
    if doc.age(ctx.now) > ctx.status_stale_after:
        days = doc.age(ctx.now).days
        return Check(
            STATUS,
            CheckStatus.WARNING,
            f"status list is {days} days old: not {_word(ref)} as of "
            f"{doc.fetched_at.strftime('%Y-%m-%d')}",
        )
    return Check(STATUS, CheckStatus.PASSED, f"not {_word(ref)} ({age})")


def _word(ref: StatusRef) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(ref.purpose.lower(), "flagged")


# -- W3C lists (Bitstring Status List, StatusList2021) ----------------------------------------


def _inflate(data: bytes, *, gzip: bool, what: str) -> bytes:
    wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, MAX_LIST_BYTES)
    except zlib.error:
        raise _warn(f"status not checked: {what} is not valid compressed data") from None
    if inflater.unconsumed_tail:
        raise _warn(f"status not checked: {what} inflates beyond {MAX_LIST_BYTES} bytes")
    if not inflater.eof:
        raise _warn(f"status not checked: {what} is truncated")
    return out


def _decode_encoded_list(text: str, ref_type: str) -> bytes:
    body = text
    # Bitstring: multibase base64url ('u' prefix). StatusList2021: bare base64url.
    # gzip always starts 1f 8b 08, which is "H4sI" in base64.
    if body.startswith("u") and (ref_type == BITSTRING or body[1:5] == "H4sI"):
        body = body[1:]
    body = body.replace("+", "-").replace("/", "_")
    try:
        compressed = b64url_decode(body, what="encodedList")
    except MalformedInput:
        raise _warn("status not checked: encodedList is not base64url") from None
    return _inflate(compressed, gzip=True, what="encodedList")


def _status_value(bits: bytes, index: int, size: int) -> int:
    # W3C lists: index 0 is the most significant (leftmost) bit of the first byte; an
    # entry of statusSize bits is read most significant bit first.
    start = index * size
    if index < 0 or start + size > len(bits) * 8:
        raise _warn(f"status not checked: index {index} is outside the list ({len(bits) * 8})")
    value = 0
    for position in range(start, start + size):
        value = (value << 1) | ((bits[position // 8] >> (7 - position % 8)) & 1)
    return value


def _list_payload(document: dict[str, Any]) -> dict[str, Any]:
    # A VC-JWT 1.1 payload nests the credential under "vc"; other forms are the credential.
    inner = document.get("vc")
    return inner if isinstance(inner, dict) else document


def _status_entry(credential: Credential, ref: StatusRef) -> dict[str, Any]:
    """The credentialStatus object behind ``ref`` (for statusSize and statusMessage)."""
    for item in _as_list(_list_payload(credential.document).get("credentialStatus")):
        if (
            isinstance(item, dict)
            and item.get("statusListCredential") == ref.list_url
            and str(item.get("statusListIndex")) == str(ref.index)
        ):
            return item
    return {}


def _status_message(entry: dict[str, Any], value: int) -> str | None:
    for item in _as_list(entry.get("statusMessage")):
        if isinstance(item, dict) and isinstance(item.get("status"), str):
            try:
                if int(item["status"], 16) == value and isinstance(item.get("message"), str):
                    return str(item["message"])
            except ValueError:
                continue
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _list_signature(
    list_credential: Credential, ctx: VerifyContext, verify_list: SignatureVerifier
) -> None:
    try:
        checks = [c for c in verify_list(list_credential, ctx) if c.name == SIGNATURE]
    except WalletError as exc:
        raise _Outcome(CheckStatus.FAILED, f"status list signature invalid: {exc}") from None
    failed = [c for c in checks if c.status is CheckStatus.FAILED]
    if failed:
        raise _Outcome(CheckStatus.FAILED, f"status list signature invalid: {failed[0].detail}")
    if not checks or any(c.status is not CheckStatus.PASSED for c in checks):
        why = checks[0].detail if checks else "no signature check"
        raise _warn(f"status not checked: status list signature could not be verified ({why})")


def _list_period_notes(list_credential: Credential, ctx: VerifyContext) -> list[str]:
    period = check_validity_period(list_credential, ctx.now)
    if period.status is CheckStatus.FAILED:
        return [f"the status list itself is {period.detail}"]
    return []


def _vc_list_state(
    credential: Credential,
    ref: StatusRef,
    doc: CachedDocument,
    ctx: VerifyContext,
    lists: _Lists,
) -> _ListState:
    try:
        list_credential = lists.parse(doc.data)
    except WalletError as exc:
        raise _warn(f"status not checked: status list unreadable ({exc})") from None
    _list_signature(list_credential, ctx, lists.verify)
    _list_issuer_bound(list_credential, credential, ctx)
    payload = _list_payload(list_credential.document)
    subject = payload.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise _warn("status not checked: status list has no credentialSubject")
    purposes = [p.lower() for p in _as_list(subject.get("statusPurpose")) if isinstance(p, str)]
    if ref.purpose.lower() not in purposes:
        raise _warn(
            f"status not checked: list purpose {subject.get('statusPurpose')!r} "
            f"does not match entry purpose {ref.purpose!r}"
        )
    entry = _status_entry(credential, ref)
    size = entry.get("statusSize", subject.get("statusSize", 1))
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_STATUS_SIZE:
        raise _warn(f"status not checked: statusSize {size!r} is not supported")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _warn("status not checked: status list has no encodedList")
    value = _status_value(_decode_encoded_list(encoded, ref.type), ref.index, size)
    notes = _list_period_notes(list_credential, ctx)
    message = _status_message(entry, value) if size > 1 else None
    if message:
        notes.insert(0, f"status message: {message}")
    return _ListState(value, tuple(notes))


def _list_issuer_bound(
    list_credential: Credential, credential: Credential, ctx: VerifyContext
) -> None:
    """A list counts only from the credential's issuer: issued under its id, or signed by a
    key proven to be its own (a did:web of its origin, say). Else anyone's list would do."""
    issuer = credential.issuer.id
    if not issuer:
        raise _warn("status not checked: the credential names no issuer to sign its list")
    if list_credential.issuer.id == issuer:
        return
    methods = []
    for proof in _as_list(list_credential.document.get("proof")):
        vm = proof.get("verificationMethod") if isinstance(proof, dict) else None
        methods.append(vm.get("id") if isinstance(vm, dict) else vm)
    try:
        if not methods or not all(isinstance(m, str) for m in methods):
            raise issuer_keys.KeyNotProven("no verification method")
        for method in methods:
            issuer_keys.prove_method(str(method), issuer, ctx)
    except WalletError:
        raise _warn(
            f"status not checked: the list is issued by {list_credential.issuer.id}, "
            f"not by the credential's issuer {issuer}"
        ) from None


# -- IETF Token Status List (draft-ietf-oauth-status-list) -------------------------------------


def _token_key(
    header: dict[str, Any], credential: Credential, ctx: VerifyContext
) -> dict[str, Any]:
    """The public key that must have signed the token: one proven to be the credential
    issuer's, found exactly as the credential's own key is (wallet.verify.issuer_keys:
    its DID document, its origin's jwt-vc-issuer metadata / JWKS, a did:web of its origin).
    Anyone else's key could sign a list for someone else's credentials."""
    if not credential.issuer.id:
        raise _warn("status not checked: the credential names no issuer to sign its list")
    try:
        return issuer_keys.prove_jws_key(header, credential.issuer.id, ctx).jwk
    except dids.KeyNotAvailable as exc:
        raise _warn(f"status not checked: status list key not proven ({exc})") from None
    except dids.KeyNotAuthorised as exc:
        raise _Outcome(CheckStatus.FAILED, f"status list signature invalid: {exc}") from None
    except WalletError as exc:
        raise _warn(f"status not checked: status list key unusable ({exc})") from None


def _token_list_state(
    credential: Credential, ref: StatusRef, doc: CachedDocument, ctx: VerifyContext
) -> _ListState:
    try:
        token = doc.data.decode("ascii").strip()
        header, payload = jwt_parts(token)
    except (UnicodeDecodeError, MalformedInput) as exc:
        raise _warn(f"status not checked: status list token unreadable ({exc})") from None
    if str(header.get("typ", "")).lower() not in ("statuslist+jwt", "application/statuslist+jwt"):
        raise _warn("status not checked: the cached list is not a statuslist+jwt")
    alg = header.get("alg")
    refused = isinstance(alg, str) and (alg.lower() == "none" or alg.upper().startswith("HS"))
    if alg not in jws.ALLOWED_ALGS and not refused:
        # An algorithm we do not implement says nothing either way (alg none / MACs fail).
        raise _warn(f"status not checked: status list algorithm {alg!r} is not supported")
    try:
        compact = jws.parse_compact(token)
        jws.check_header(compact.header)
        jws.verify_with_jwk(compact, _token_key(header, credential, ctx))
    except _Outcome:
        raise
    except jws.BadSignature as exc:
        raise _Outcome(CheckStatus.FAILED, f"status list signature invalid: {exc}") from None
    except WalletError as exc:
        raise _warn(f"status not checked: status list token unreadable ({exc})") from None
    if not isinstance(payload, dict):
        raise _warn("status not checked: status list token payload is not an object")
    if payload.get("sub") != ref.list_url:
        raise _Outcome(
            CheckStatus.FAILED,
            f"status list token is for {payload.get('sub')!r}, not {ref.list_url}",
        )
    status_list = payload.get("status_list")
    if not isinstance(status_list, dict):
        raise _warn("status not checked: token has no status_list")
    bits = status_list.get("bits")
    lst = status_list.get("lst")
    if bits not in (1, 2, 4, 8) or isinstance(bits, bool) or not isinstance(lst, str):
        raise _warn("status not checked: status_list needs bits (1, 2, 4 or 8) and lst")
    try:
        compressed = b64url_decode(lst, what="lst")
    except MalformedInput:
        raise _warn("status not checked: lst is not base64url") from None
    data = _inflate(compressed, gzip=False, what="lst")
    position = ref.index * bits
    if ref.index < 0 or position // 8 >= len(data):
        raise _warn(f"status not checked: index {ref.index} is outside the list")
    # IETF lists count bits from the least significant bit of each byte.
    value = (data[position // 8] >> (position % 8)) & ((1 << bits) - 1)
    notes = []
    exp = payload.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp < ctx.now.timestamp():
        notes.append("the status list itself has expired")
    return _ListState(value, tuple(notes))


# -- Open Badges 2.0 revocation list ------------------------------------------------------------


def _ob2_list_state(credential: Credential, doc: CachedDocument) -> _ListState:
    try:
        revocation = load_json(doc.data)
    except MalformedInput as exc:
        raise _warn(f"status not checked: revocation list unreadable ({exc})") from None
    if not isinstance(revocation, dict):
        raise _warn("status not checked: revocation list is not a JSON object")
    named = revocation.get("issuer")
    named = named.get("id") if isinstance(named, dict) else named
    if named is not None and named != credential.issuer.id:
        # The list URL comes from the issuer's profile; a list that names another issuer
        # is not this issuer's word about its badges.
        raise _warn(f"status not checked: the revocation list is issued by {named!r}")
    revoked = revocation.get("revokedAssertions", [])
    if not isinstance(revoked, list):
        raise _warn("status not checked: revokedAssertions is not a list")
    ids = {credential.document.get("id"), credential.document.get("uid")} - {None}
    for item in revoked:
        entry_ids = {item} if isinstance(item, str) else set()
        if isinstance(item, dict):
            entry_ids = {v for k in ("id", "uid") if isinstance(v := item.get(k), str)}
        if ids & entry_ids:
            reason = item.get("revocationReason") if isinstance(item, dict) else None
            return _ListState(1, (f"reason: {reason}",) if isinstance(reason, str) else ())
    return _ListState(0)
