"""Strict, bounded JSON reading shared by every parser.

Issuers' documents are untrusted input: we refuse non-UTF-8 text, duplicate keys (a classic
signature-confusion trick: the verifier and the display could read different values),
absurd nesting and oversize input, each with a one-line ``MalformedInput``.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from wallet.errors import InputTooLarge, MalformedInput

MAX_INPUT_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedInput(f"duplicate JSON key {key!r}")
        result[key] = value
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


def load_json_object(data: bytes | str, *, what: str = "document") -> dict[str, Any]:
    value = load_json(data)
    if not isinstance(value, dict):
        raise MalformedInput(f"{what} must be a JSON object")
    return value
