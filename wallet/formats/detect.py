"""Recognise what a byte string is before any parser looks at it.

Two questions, in order: which container (a PNG or SVG badge image, a compact JWT, an
SD-JWT, a JSON document), and then which credential format it carries. Sizes are
checked first so a 200 MB file is refused without being scanned.
"""

from __future__ import annotations

import re
from typing import Any

from wallet.errors import MalformedInput, UnsupportedInput, WalletError
from wallet.jsonguard import MAX_INPUT_BYTES, check_size, jwt_parts, load_json
from wallet.verify import jws

MAX_IMAGE_BYTES = 16 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Container kinds.
PNG = "png"
SVG = "svg"
JWT = "jwt"
SD_JWT = "sd-jwt"
JSON = "json"

# Formats (the names the registry dispatches on).
OB2 = "ob2"
OB2_SIGNED = "ob2-signed"
CLR = "clr"
VC_JSONLD = "vc-jsonld"
VC_JWT = "vc-jwt"
STATUSLIST_JWT = "statuslist-jwt"

_B64URL = r"[A-Za-z0-9_-]"
_JWS_RE = re.compile(rf"{_B64URL}+\.{_B64URL}*\.{_B64URL}*")
_JWE_RE = re.compile(rf"{_B64URL}+(\.{_B64URL}*){{4}}")
_OB_CONTEXT_PREFIXES = ("https://w3id.org/openbadges/v2", "https://w3id.org/openbadges/v1")
_SVG_SNIFF = 64 * 1024


def _ascii_text(data: bytes) -> str | None:
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None


def container(data: bytes) -> str:
    """The container kind: "png", "svg", "jwt", "sd-jwt" or "json"."""
    if data.startswith(PNG_SIGNATURE):
        check_size(data, MAX_IMAGE_BYTES)
        return PNG
    head = data[:_SVG_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        check_size(data, MAX_IMAGE_BYTES)
        if b"<svg" in data:
            return SVG
        raise UnsupportedInput("XML input is not an SVG image")
    check_size(data, MAX_INPUT_BYTES)
    if head.startswith((b"{", b"[")):
        return JSON
    text = _ascii_text(data)
    if text:
        if "~" in text:
            first = text.split("~", 1)[0]
            if _JWS_RE.fullmatch(first):
                return SD_JWT
        elif _JWS_RE.fullmatch(text):
            return JWT
        elif _JWE_RE.fullmatch(text):
            raise UnsupportedInput("encrypted JWT (JWE) input is not supported")
    if not data.strip():
        raise MalformedInput("input is empty")
    raise UnsupportedInput("input is not a credential we recognise (PNG, SVG, JSON, JWT, SD-JWT)")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    return [v for v in _as_list(value) if isinstance(v, str)]


def is_ob2_assertion(doc: dict[str, Any]) -> bool:
    """An Open Badges 2.0 (or 1.1) Assertion: its context or its type says so."""
    contexts = _strings(doc.get("@context"))
    if any(c.startswith(_OB_CONTEXT_PREFIXES) for c in contexts):
        return "VerifiableCredential" not in _strings(doc.get("type"))
    return "Assertion" in _strings(doc.get("type"))


def json_format(doc: Any) -> str:
    """The format of a parsed JSON document: "ob2", "clr" or "vc-jsonld"."""
    if not isinstance(doc, dict):
        raise MalformedInput("a credential must be a JSON object")
    types = _strings(doc.get("type"))
    if "ClrCredential" in types:
        return CLR
    if "VerifiableCredential" in types:
        return VC_JSONLD
    if "VerifiablePresentation" in types:
        raise UnsupportedInput("this is a presentation, not a credential; use verify-presentation")
    if is_ob2_assertion(doc):
        return OB2
    if "payload" in doc and ("signature" in doc or "signatures" in doc):
        raise UnsupportedInput("JWS JSON serialization is not supported; use the compact form")
    shown = ", ".join(types) if types else "none"
    raise UnsupportedInput(f"JSON document is not a credential we know (type: {shown})")


def jwt_format(text: str) -> str:
    header, payload = jwt_parts(text)
    return _jwt_format_of(header, payload)


def _jwt_format_of(header: dict[str, Any], payload: Any) -> str:
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower() in ("statuslist+jwt", "application/statuslist+jwt"):
        return STATUSLIST_JWT
    if isinstance(payload, dict) and "vc" not in payload and is_ob2_assertion(payload):
        return OB2_SIGNED
    if not isinstance(payload, dict):
        raise MalformedInput("JWT payload must be a JSON object")
    return VC_JWT


def _jwt(text: str) -> tuple[str, jws.CompactJWS | None]:
    """The format of a compact JWT, and the token parsed once for its parser to reuse."""
    try:
        token, payload = jws.parse_compact_json(text)
    except WalletError:
        # The parser judges it again; here it gets the answer and wording it always got.
        return jwt_format(text), None
    return _jwt_format_of(token.header, payload), token


def detect(data: bytes) -> str:
    """The format of ``data``: "png" or "svg" for badge images (unbake them first), or one
    of "ob2", "ob2-signed", "clr", "vc-jsonld", "vc-jwt", "sd-jwt", "statuslist-jwt"."""
    return detect_parsed(data)[0]


def detect_parsed(data: bytes) -> tuple[str, Any]:
    """detect(data), and what was parsed to tell (a JSON document, a CompactJWS, or None),
    so the format's parser need not read the same bytes again."""
    kind = container(data)
    if kind in (PNG, SVG, SD_JWT):
        return kind, None
    if kind == JWT:
        return _jwt(data.decode("ascii").strip())
    doc = load_json(data)
    return json_format(doc), doc
