"""The presentation file: one JSON envelope listing each part in its native form.

``{"type": "LearnerWalletPresentation", "version": 1, "audience", "nonce", "created",
"parts": [{"format": "sd-jwt" | "vp-jwt" | "vp-ldp", "data": <compact string | VP object>}]}``
serialised canonically (sorted keys, no spaces) so the QR transport can rebuild it byte
for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from wallet.errors import MalformedInput
from wallet.jsonguard import check_size, load_json

TYPE = "LearnerWalletPresentation"
VERSION = 1
FORMATS = ("sd-jwt", "vp-jwt", "vp-ldp")
MAX_PARTS = 50
# A bare compact JWT / SD-JWT: base64url segments joined by "." and "~".
_COMPACT = re.compile(rb"[A-Za-z0-9_\-.~]+")


@dataclass(frozen=True)
class Part:
    format: str
    data: str | dict[str, Any]


@dataclass(frozen=True)
class Envelope:
    parts: tuple[Part, ...]
    audience: str | None = None
    nonce: str | None = None
    created: str | None = None


def serialize(envelope: Envelope) -> bytes:
    body = {
        "type": TYPE,
        "version": VERSION,
        "audience": envelope.audience,
        "nonce": envelope.nonce,
        "created": envelope.created,
        "parts": [{"format": p.format, "data": p.data} for p in envelope.parts],
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def build_envelope(parts: list[Part], *, audience: str, nonce: str, created: str) -> bytes:
    return serialize(Envelope(tuple(parts), audience, nonce, created))


def parse_envelope(data: bytes) -> Envelope:
    """An envelope, or a bare SD-JWT / VP-JWT / VP JSON taken as a one-part envelope."""
    check_size(data)  # the JSON branch checks too; a bare compact string needs it here
    text = data.strip()
    if not text:
        raise MalformedInput("the presentation is empty")
    if not text.startswith(b"{"):
        if not _COMPACT.fullmatch(text):
            raise MalformedInput("a presentation must be JSON or a compact JWT/SD-JWT")
        compact = text.decode("ascii")
        fmt = "sd-jwt" if "~" in compact else "vp-jwt"
        if compact.count(".") < 2:
            raise MalformedInput("not a presentation: neither JSON nor a compact JWT/SD-JWT")
        return Envelope((Part(fmt, compact),))
    doc = load_json(text)
    if not isinstance(doc, dict):
        raise MalformedInput("a presentation must be a JSON object")
    types = doc.get("type")
    type_list = types if isinstance(types, list) else [types]
    if "VerifiablePresentation" in type_list:
        return Envelope((Part("vp-ldp", doc),))
    if doc.get("type") != TYPE:
        raise MalformedInput(f"not a presentation file (type {doc.get('type')!r})")
    if doc.get("version") != VERSION:
        raise MalformedInput(f"presentation file version {doc.get('version')!r} is not supported")
    raw_parts = doc.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise MalformedInput("the presentation file lists no parts")
    if len(raw_parts) > MAX_PARTS:
        raise MalformedInput(f"more than {MAX_PARTS} parts in one presentation")
    parts = []
    for i, item in enumerate(raw_parts, 1):
        if not isinstance(item, dict) or item.get("format") not in FORMATS:
            raise MalformedInput(f"part {i} has no known format")
        value = item.get("data")
        fits = isinstance(value, dict) if item["format"] == "vp-ldp" else isinstance(value, str)
        if not fits or not isinstance(value, dict | str):
            raise MalformedInput(f"part {i} ({item['format']}) has data of the wrong shape")
        parts.append(Part(item["format"], value))
    strings = [doc.get(k) for k in ("audience", "nonce", "created")]
    if any(s is not None and not isinstance(s, str) for s in strings):
        raise MalformedInput("audience, nonce and created must be strings")
    return Envelope(tuple(parts), *strings)
