"""Strict, bounded JSON reading shared by every parser and verifier (a leaf: it imports
nothing of the wallet but its errors, so every layer may use it).

Issuers' documents are untrusted input: we refuse non-UTF-8 text, duplicate keys (a classic
signature-confusion trick: the verifier and the display could read different values),
absurd nesting and oversize input, each with a one-line ``MalformedInput``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from wallet.errors import InputTooLarge, MalformedInput

MAX_INPUT_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; a shorter dict means a key came twice
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedInput(f"duplicate JSON key {key!r}")
            seen.add(key)
    return result


# A JSON string, escapes included; an unterminated one runs to the end of the text. The
# unrolled body never backtracks, so this is linear.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _depth_ok(text: str, limit: int) -> bool:
    """Bracket depth outside strings never exceeds ``limit``: checked before json.loads, so
    deep input never hits recursion. Linear, and without a Python loop per character."""
    # Depth can never pass the number of openers: the common case costs two C scans.
    if text.count("[") + text.count("{") <= limit:
        return True
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= limit


def check_size(data: bytes, limit: int = MAX_INPUT_BYTES) -> None:
    if len(data) > limit:
        raise InputTooLarge(
            f"the credential is {len(data)} bytes, larger than the {limit / 2**20:g} MiB limit "
            "for a credential document"
        )


def load_json(data: bytes | str, *, limit: int = MAX_INPUT_BYTES) -> Any:
    """Parse JSON strictly; raises MalformedInput with one line on any problem."""
    # The common case first (a small, shallow object or array with nothing around it, as
    # every JWS segment and disclosure is): the decoder's scanner straight away. Anything
    # else, and any failure, takes the full path below, whose answer is the same value or
    # the one-line error it has always given.
    if type(data) is bytes and len(data) <= limit and data[:1] in _OPENERS:
        try:
            text = data.decode("utf-8")
            if text.count("[") + text.count("{") <= MAX_DEPTH:
                value, end = _SCAN(text, 0)
                if end == len(text):
                    return value
        except (ValueError, StopIteration, RecursionError):
            pass
    return _load_json(data, limit)


_OPENERS = (b"{", b"[")


def _load_json(data: bytes | str, limit: int) -> Any:
    if isinstance(data, bytes):
        check_size(data, limit)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInput(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    else:
        text = data
        # UTF-8 takes at most 4 bytes a character: only a text near the limit is encoded.
        if len(text) * 4 > limit:
            check_size(text.encode("utf-8", "surrogatepass"), limit)
    if not _depth_ok(text, MAX_DEPTH):
        raise MalformedInput(f"JSON is nested deeper than {MAX_DEPTH} levels")
    try:
        if text.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except MalformedInput:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise MalformedInput(f"JSON constant {name} is not allowed")


# Built once: json.loads with hooks builds a new decoder on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
# What _DECODER.decode runs between its whitespace skips: one value from an index.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def load_json_object(data: bytes | str, *, what: str = "document") -> dict[str, Any]:
    value = load_json(data)
    if not isinstance(value, dict):
        raise MalformedInput(f"{what} must be a JSON object")
    return value


_B64URL = re.compile(r"[A-Za-z0-9_-]*=*")


def b64url_decode(text: str, *, what: str = "value") -> bytes:
    """Strict base64url (padding optional); one-line MalformedInput on bad input."""
    if not _B64URL.fullmatch(text):
        raise MalformedInput(f"{what} is not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise MalformedInput(f"{what} is not base64url") from None


def jwt_parts(text: str) -> tuple[dict[str, Any], Any]:
    """Decode (without verifying) the header and payload of a compact JWS."""
    pieces = text.split(".")
    if len(pieces) != 3:
        raise MalformedInput("a compact JWS has three dot-separated parts")
    if not pieces[1]:
        raise MalformedInput("detached JWS payloads are not accepted")
    header = load_json(b64url_decode(pieces[0], what="JWS header"))
    if not isinstance(header, dict):
        raise MalformedInput("JWS header must be a JSON object")
    payload = load_json(b64url_decode(pieces[1], what="JWS payload"))
    return header, payload
