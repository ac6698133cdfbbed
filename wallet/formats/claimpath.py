"""Claim paths as JSON Pointers (RFC 6901), with a dotted shorthand.

Claim names may hold dots and slashes (``https://claims.example/gpa`` is the
collision-resistant form RFC 7519 recommends), so a dotted path can be read more than one
way. Every path the wallet prints is a pointer; people may type the dotted form, which is
accepted when exactly one reading of it names a claim.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from wallet.errors import UsageError

# Enough to list the choices of an ambiguous path; a longer list helps no one.
MAX_READINGS = 16


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    rest = token.replace("~0", "").replace("~1", "")
    if "~" in rest:
        raise UsageError(f"bad JSON Pointer escape in {token!r}: use ~0 for ~ and ~1 for /")
    return token.replace("~1", "/").replace("~0", "~")


def pointer(tokens: Sequence[str]) -> str:
    return "".join("/" + escape(t) for t in tokens)


def join(base: str, token: str) -> str:
    return base + "/" + escape(token)


def tokens(path: str) -> list[str]:
    """The reference tokens of a pointer ("" is the whole document)."""
    if path == "":
        return []
    if not path.startswith("/"):
        raise UsageError(f"{path!r} is not a JSON Pointer (it must start with /)")
    return [unescape(t) for t in path[1:].split("/")]


def sort_key(path: str) -> list[tuple[int, int, str]]:
    """Array elements in index order, names after them in text order."""
    return [(0, int(t), "") if _is_index(t) else (1, 0, t) for t in tokens(path)]


def _is_index(token: str) -> bool:
    return token.isascii() and token.isdigit() and (token == "0" or not token.startswith("0"))


def _child(node: Any, token: str) -> tuple[bool, Any]:
    if isinstance(node, dict):
        return (token in node, node.get(token))
    if isinstance(node, list) and _is_index(token) and int(token) < len(node):
        return (True, node[int(token)])
    return (False, None)


def lookup(claims: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of the claim at ``path``."""
    node = claims
    for token in tokens(path):
        found, node = _child(node, token)
        if not found:
            return (False, None)
    return (True, node)


def exists(claims: Any, path: str) -> bool:
    return lookup(claims, path)[0]


def readings(claims: Any, dotted: str) -> list[str]:
    """Every pointer that the dotted path ``dotted`` can mean and that names a claim.
    An empty shorthand means nothing (the claim named "" is the pointer "/")."""
    if not dotted:
        return []
    return [pointer(t) for t in islice(_walk(claims, dotted), MAX_READINGS)]


def _walk(node: Any, rest: str) -> Iterator[list[str]]:
    if isinstance(node, dict):
        candidates = [k for k in node if rest == k or rest.startswith(k + ".")]
    elif isinstance(node, list):
        head = rest.partition(".")[0]
        candidates = [head] if _child(node, head)[0] else []
    else:
        return
    for key in candidates:
        value = _child(node, key)[1]
        if rest == key:
            yield [key]
        else:
            for more in _walk(value, rest[len(key) + 1 :]):
                yield [key, *more]


def resolve(claims: Any, path: str) -> str:
    """The pointer of the claim that ``path`` (a pointer or dotted shorthand) names."""
    if path == "":
        raise UsageError("an empty claim path names no claim")
    if path.startswith("/"):
        canonical = pointer(tokens(path))
        if not exists(claims, canonical):
            raise UsageError(f"{path} is not a claim of this credential")
        return canonical
    found = readings(claims, path)
    if not found:
        raise UsageError(f"{path} is not a claim of this credential")
    if len(found) > 1:
        raise UsageError(f"{path} could mean {' or '.join(found)}: give one as a JSON Pointer")
    return found[0]


def has_claim(claims: Any, path: str) -> bool:
    """Whether ``path`` names at least one claim (then ``resolve`` says which, or that it
    is ambiguous)."""
    if path.startswith("/"):
        return exists(claims, path)
    return bool(readings(claims, path))
