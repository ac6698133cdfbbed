"""Strict compact JWS: an explicit algorithm allow-list, no ``crit`` we do not understand,
and issuer keys resolved offline and proven to be the issuer's (wallet.verify.issuer_keys:
did:key, did:jwk, cached did:web, the issuer origin's cached JWKS / issuer metadata).
Keys embedded in a header are never trusted on their own word.
"""

from __future__ import annotations

import binascii
import contextlib
import functools
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from wallet.errors import (
    MalformedInput,
    UnsupportedInput,
    UsageError,
    VerificationFailed,
    WalletError,
)
from wallet.jsonguard import check_size, load_json, load_json_object
from wallet.model import SIGNATURE, Check, CheckStatus
from wallet.verify import dids, issuer_keys, keys, memo
from wallet.verify.context import VerifyContext

ALLOWED_ALGS = frozenset({"ES256", "ES384", "EdDSA", "Ed25519", "RS256"})
MAX_JWS_BYTES = 4 * 1024 * 1024
_KTY_FOR_ALG = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),  # RFC 9864 fully-specified name for EdDSA/Ed25519
    "RS256": ("RSA", None),
}

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
# sign_compact also takes joserfc asymmetric keys (never OctKey: no shared-secret MACs).
JoseKey = ECKey | OKPKey | RSAKey
# Three base64url segments (the dots are counted before this is matched).
_B64URL_DOTS = re.compile(r"[A-Za-z0-9_.-]*")


@contextlib.contextmanager
def _quiet_eddsa() -> Iterator[None]:
    # joserfc warns that "EdDSA" is superseded by "Ed25519" (RFC 9864); issuers and the
    # reference SD-JWT library still use it, so we accept it on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        yield


with _quiet_eddsa():
    # The same rules joserfc applied per call (a fresh strict registry for the alg).
    _JOSE = jose_jws.JWSRegistry(algorithms=sorted(ALLOWED_ALGS))


class BadSignature(VerificationFailed):
    code = "bad_signature"


@dataclass(frozen=True)
class CompactJWS:
    text: str
    header: dict[str, Any]
    payload: bytes
    signature: bytes

    @property
    def signing_input(self) -> bytes:
        return self.text.rpartition(".")[0].encode("ascii")

    def payload_json(self, what: str = "JWT payload") -> dict[str, Any]:
        # Parsed once per token: SD-JWT and presentation checks read the payload many times.
        # Only a successful parse is kept, so each caller still gets its own error wording.
        cached = self.__dict__.get("_payload")
        if cached is None:
            cached = load_json_object(self.payload, what=what)
            object.__setattr__(self, "_payload", cached)
        return cast(dict[str, Any], cached)


def parse_compact(text: str) -> CompactJWS:
    """Split and decode a compact JWS. Headers are judged at verification (check_header),
    so a credential with a bad header still parses and is reported ``invalid``."""
    # UTF-8 takes at most 4 bytes a character: only a text near the limit is encoded.
    if len(text) * 4 > MAX_JWS_BYTES:
        check_size(text.encode("utf-8", "replace"), MAX_JWS_BYTES)
    stripped = text.strip()
    parts = stripped.split(".")
    if len(parts) != 3:
        raise MalformedInput("not a compact JWS (expected three dot-separated parts)")
    # Python's base64 decoder skips stray characters; a JWS segment must be pure base64url.
    if not _B64URL_DOTS.fullmatch(stripped):
        raise MalformedInput("a JWS segment contains characters outside base64url")
    header = _header_of(parts[0])
    if not parts[1]:
        raise MalformedInput("detached JWS payloads are not accepted")
    payload = _b64_checked(parts[1])
    signature = _b64_checked(parts[2])
    return CompactJWS(stripped, header, payload, signature)


def _b64_checked(segment: str) -> bytes:
    """keys.b64url_decode of a segment _B64URL_DOTS has already passed (so its own scan for
    stray characters is skipped); a length no base64 text can have still fails."""
    try:
        data = segment.encode("ascii").translate(_FROM_URLSAFE)
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except ValueError:
        raise MalformedInput("not base64url text") from None


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")

# header segment text -> its JSON object. A verifier meets the same few headers again and
# again (an issuer's, every KB-JWT's): each is read once. Only small headers are kept
# (joserfc refuses larger ones anyway), and each caller gets its own copy of the dict.
_headers: dict[str, dict[str, Any]] = {}
MAX_HEADERS = 256
MAX_HEADER_TEXT = 1024


def _header_of(segment: str) -> dict[str, Any]:
    found = _headers.get(segment)
    if found is not None:
        return dict(found)
    header = load_json_object(_b64_checked(segment), what="JWS header")
    if len(segment) <= MAX_HEADER_TEXT and all(
        isinstance(v, str | int | float | bool) or v is None for v in header.values()
    ):
        # Only flat headers are kept: a shallow copy then shares nothing mutable.
        memo.keep(_headers, segment, dict(header), MAX_HEADERS)
    return header


def parse_compact_json(text: str) -> tuple[CompactJWS, Any]:
    """parse_compact(text) and its payload read as any JSON value (strictly); an object
    is kept as the token's payload_json, so it is not read twice."""
    token = parse_compact(text)
    payload = load_json(token.payload)
    if isinstance(payload, dict):
        object.__setattr__(token, "_payload", payload)
    return token, payload


def check_header(header: Mapping[str, Any]) -> None:
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise BadSignature("the JWS header names no algorithm")
    if alg.lower() == "none":
        raise BadSignature("unsigned JWS (alg none) is never accepted")
    if alg.upper().startswith("HS"):
        raise BadSignature(f"{alg} (a shared-secret MAC) is not accepted for credentials")
    if alg not in ALLOWED_ALGS:
        raise BadSignature(f"algorithm {alg} is not on the allow-list {sorted(ALLOWED_ALGS)}")
    if "crit" in header:
        raise BadSignature(f"critical header parameters {header['crit']!r} are not understood")
    if "b64" in header:
        raise BadSignature("unencoded-payload JWS (b64) is not accepted")


def verify_with_jwk(token: CompactJWS, jwk: Mapping[str, Any]) -> None:
    """Raises BadSignature unless the signature verifies under ``jwk`` with the header's alg."""
    alg = str(token.header["alg"])
    kty, crv = _KTY_FOR_ALG[alg]
    if jwk.get("kty") != kty or (crv is not None and jwk.get("crv") != crv):
        raise BadSignature(f"the issuer key ({jwk.get('kty')}/{jwk.get('crv')}) does not fit {alg}")
    if kty == "RSA":
        n = keys.b64url_decode(str(jwk.get("n", "")))
        if len(n) * 8 < 2048:
            raise BadSignature("RSA keys shorter than 2048 bits are not accepted")
    _jose_rules(token)
    try:
        public = _public_key(_canonical(jwk))
    except (MalformedInput, UnsupportedInput, ValueError, TypeError):
        raise BadSignature("the issuer key cannot be used") from None
    # The key just imported (or found in the import cache), not a second cache lookup.
    if not _signature_ok(alg, public, token.signing_input, token.signature):
        raise BadSignature("the signature does not match (tampered or wrong key)")


def _jose_rules(token: CompactJWS) -> None:
    """What joserfc's deserialize_compact refuses before the signature: segment sizes,
    registered header values, unregistered header names (strict), ``crit``."""
    # The text is base64url and dots (parse_compact made sure), so its lengths as str are
    # its lengths in bytes: no need to encode it.
    whole = token.text
    head, body, sig = whole.split(".")
    if not (_canonical_b64(head) and _canonical_b64(body) and _canonical_b64(sig)):
        # A segment whose last character carries stray low bits decodes to the same bytes
        # as another text: joserfc refused that malleability, and so do we.
        raise BadSignature("the signature does not match (tampered or wrong key)")
    if (
        len(whole) > _MAX_COMPACT
        or len(head) > _JOSE.max_header_length
        or len(sig) > _JOSE.max_signature_length
        or len(body) > _JOSE.max_payload_length
    ):
        raise BadSignature("the signature does not match (tampered or wrong key)")
    if _judged.get(head) == token.header:
        return
    try:
        _JOSE.check_header(token.header)
    except JoseError:
        raise BadSignature("the signature does not match (tampered or wrong key)") from None
    if len(head) <= MAX_HEADER_TEXT and head in _headers:
        # The same header, already found acceptable (only flat, parsed headers are kept).
        memo.keep(_judged, head, dict(token.header), MAX_HEADERS)


# joserfc's limits (validate_compact_value_size and the three segment sizes), as lengths.
_MAX_COMPACT = _JOSE.max_header_length + _JOSE.max_payload_length + _JOSE.max_signature_length
# header segment -> the header joserfc's check_header accepted for it; a token's header is
# only skipped when it equals that one (so a hand-built CompactJWS is still judged).
_judged: dict[str, dict[str, Any]] = {}

# The last character of an unpadded segment of 2 or 3 leftover characters (joserfc's rule).
_SAFE_ENDINGS = {2: "AQgw", 1: "AEIMQUYcgkosw048"}


def _canonical_b64(segment: str) -> bool:
    pad = -len(segment) % 4
    return pad == 0 or (pad in _SAFE_ENDINGS and segment[-1] in _SAFE_ENDINGS[pad])


_JWK_MEMBERS = ("kty", "crv", "x", "y", "n", "e")
_HASH_FOR_ALG: dict[str, hashes.HashAlgorithm] = {
    "ES256": hashes.SHA256(),
    "ES384": hashes.SHA384(),
    "RS256": hashes.SHA256(),
}


# Made once: an ECDSA signature algorithm object holds only its hash (immutable).
_ECDSA_FOR_ALG = {alg: ec.ECDSA(_HASH_FOR_ALG[alg]) for alg in ("ES256", "ES384")}

_Canonical = tuple[tuple[str, str], ...]


def _canonical(jwk: Mapping[str, Any]) -> _Canonical:
    """The public members that define the key, hashable: the import cache's key."""
    members = []
    for name in _JWK_MEMBERS:
        if name in jwk:
            value = jwk[name]
            if not isinstance(value, str):
                raise MalformedInput(f"JWK member {name} must be a string")
            members.append((name, value))
    return tuple(members)


@functools.lru_cache(maxsize=256)
def _public_key(canonical: _Canonical) -> keys.PublicKey:
    # A pure function of the key's own members; a verifier sees the same few issuer and
    # holder keys again and again, so the import and its on-curve check are done once.
    return keys.public_key_from_jwk(dict(canonical))


def _signature_ok(alg: str, public: keys.PublicKey, signed: bytes, signature: bytes) -> bool:
    """The JWS signature check (RFC 7518 section 3), as joserfc makes it."""
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, signed)
            return True
        if isinstance(public, ec.EllipticCurvePublicKey):
            size = (public.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            der = encode_dss_signature(r, s)
            public.verify(der, signed, _ECDSA_FOR_ALG[alg])
            return True
        public.verify(signature, signed, padding.PKCS1v15(), _HASH_FOR_ALG[alg])
        return True
    except InvalidSignature:
        return False


def jwk_of_private(key: PrivateKey) -> dict[str, Any]:
    return keys.jwk_from_public_key(key.public_key())


def alg_for(key: PrivateKey | JoseKey) -> str:
    if isinstance(key, OKPKey | ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(key, ECKey):
        return "ES384" if key.get("crv") == "P-384" else "ES256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ES384" if key.curve.name == "secp384r1" else "ES256"
    return "RS256"


_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}


def _jose_private_key(key: PrivateKey | JoseKey, alg: str) -> JoseKey:
    kty, crv = _KTY_FOR_ALG[alg]
    if isinstance(key, ECKey | OKPKey | RSAKey):
        if not key.is_private:
            raise UsageError("signing needs a private key, not a public one")
        have = (key.key_type, key.get("crv") if key.key_type != "RSA" else None)
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        have = ("OKP", "Ed25519")
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        have = ("EC", _CURVES.get(key.curve.name, key.curve.name))
    elif isinstance(key, rsa.RSAPrivateKey):
        have = ("RSA", None)
    else:
        raise UsageError(f"cannot sign with a {type(key).__name__}")
    # Checked before import, so a misfit is a one-line UsageError, not a joserfc error.
    if have[0] != kty or (crv is not None and have[1] != crv):
        raise UsageError(f"{alg} needs a {crv or kty} key")
    if isinstance(key, ECKey | OKPKey | RSAKey):
        return key
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    imported = JWKRegistry.import_key(pem, kty)
    assert isinstance(imported, ECKey | OKPKey | RSAKey)
    return imported


def sign_compact(
    payload: Mapping[str, Any] | bytes,
    key: PrivateKey | JoseKey,
    alg: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> str:
    """A compact JWS over ``payload`` (a JSON object or bytes), with extra protected headers.

    ``alg`` defaults to the one the key implies; the header's alg is always that one.
    """
    alg = alg or alg_for(key)
    if alg not in ALLOWED_ALGS:
        raise UsageError(f"cannot sign with {alg}: not on the allow-list")
    jose_key = _jose_private_key(key, alg)
    protected = {**(headers or {}), "alg": alg}
    body = (
        payload
        if isinstance(payload, bytes)
        else json.dumps(payload, separators=(",", ":")).encode()
    )
    with _quiet_eddsa():
        return jose_jws.serialize_compact(protected, body, jose_key, algorithms=[alg])


# -- issuer key resolution, offline ----------------------------------------------------


def resolve_issuer_key(
    header: Mapping[str, Any], iss: str | None, ctx: VerifyContext
) -> dict[str, Any]:
    """The issuer's public JWK for this JWS, proven to be ``iss``'s (wallet.verify.issuer_keys).

    Raises dids.KeyNotAvailable when it cannot be had or proven offline (the check is then
    not_checked), dids.KeyNotAuthorised when the kid points elsewhere.
    """
    return issuer_keys.prove_jws_key(header, iss, ctx).jwk


def verify_issuer_signature(token: CompactJWS, iss: str | None, ctx: VerifyContext) -> Check:
    """The "signature" check for a credential JWS signed by ``iss``."""
    alg = token.header.get("alg")
    try:
        check_header(token.header)
        proven = issuer_keys.prove_jws_key(token.header, iss, ctx)
        verify_with_jwk(token, proven.jwk)
    except dids.KeyNotAvailable as exc:
        return Check(SIGNATURE, CheckStatus.NOT_CHECKED, exc.message)
    except WalletError as exc:
        return Check(SIGNATURE, CheckStatus.FAILED, exc.message)
    return Check(SIGNATURE, CheckStatus.PASSED, f"{alg} by {iss} (key from {proven.source})")
