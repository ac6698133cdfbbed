"""Text from credentials and presentations, made safe to show on a terminal or in the app.

A credential's title, issuer name, claim values, ids, even the file names a learner imports
are written by someone else. Sent raw to a terminal, an ESC or CSI sequence can erase and
repaint lines (an attacker's title that rewrites the verifier's ``verdict:`` line), a
carriage return or newline can start a fake line, and bidi overrides or zero-width
characters can make one text look like another.

The policy, for every plain-text output:

- **Unsafe characters** are every Unicode control (``Cc``: C0 including tab, CR and
  newline, DEL, and C1 including the one-byte CSI ``\\x9b``), every format character (``Cf``:
  the bidi embeddings/overrides U+202A-U+202E and isolates U+2066-U+2069, LRM/RLM/ALM,
  zero-width space/joiners U+200B-U+200D, word joiner, BOM U+FEFF, soft hyphen, tag
  characters...), the line and paragraph separators U+2028/U+2029 (``Zl``/``Zp``), and lone
  surrogates (``Cs``, which cannot even be encoded).
- **Each is replaced by a visible escape**, never dropped, so a person sees that something
  odd is there and what it was: ``\\n``, ``\\r``, ``\\t`` for the three common ones, ``\\xNN``
  below U+0100, ``\\uNNNN`` in the BMP, ``\\UNNNNNNNN`` above. Escapes rather than U+FFFD
  keep two different hidden characters distinguishable. (ZWJ/ZWNJ, which some scripts use
  for shaping, are escaped too: in a verifier's view, two names that render alike must not
  be different strings unnoticed.)
- Everything else passes unchanged, including all letters, marks and symbols of any
  script ("Éducation – Soins infirmiers" prints as is).

``safe_text`` is for one value interpolated into a line: its newlines are escaped, so it can
never add a line. ``safe_block`` is the final pass on a whole output the CLI built: it keeps
the CLI's own newlines and escapes everything else, so even a value that was missed cannot
send ESC, C1 or bidi characters to the terminal (it can at worst break a line).

JSON output stays exact: ``safe_json`` turns the unsafe characters that ``json.dumps``
leaves raw (with ``ensure_ascii=False`` it escapes only C0) into ``\\uXXXX`` escapes, which
decode to the very same string.

The terminal app (``wallet.ui``) renders Rich/Textual markup: ``escape_markup`` makes a
data value safe there (``safe_text``, then markup escaping, so ``[red]`` in a title is shown,
not applied). It uses ``rich.markup.escape`` when Rich is installed and an equivalent of it
otherwise, so the core never needs Rich or Textual.

This module is a leaf: it imports nothing from the wallet, so everything may import it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, cast

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_unsafe(char: str) -> bool:
    """Whether one character must never reach a terminal raw."""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _replace(text: str, escape: Callable[[str], str], keep: str = "") -> str:
    # str.isprintable() is False for every unsafe category (and for a few harmless ones,
    # such as no-break space): a quick pass for the usual all-printable text.
    if text.isprintable():
        return text
    return "".join(escape(c) if c not in keep and is_unsafe(c) else c for c in text)


def safe_text(value: object) -> str:
    """``value`` as one line of terminal-safe text (every unsafe character escaped)."""
    return _replace(value if isinstance(value, str) else str(value), _escape)


def safe_block(text: str) -> str:
    """A whole multi-line output made terminal-safe, keeping its newlines."""
    return _replace(text, _escape, keep="\n")


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON has only UTF-16 escapes: a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def safe_json(text: str) -> str:
    """JSON text with every unsafe character still raw in it written as ``\\u`` escapes.

    Only valid on the output of ``json.dumps``: there an unsafe character other than the
    indentation's newlines can stand only inside a string, where its escape means exactly
    the same character.
    """
    # json.dumps escapes C0 inside strings, so a raw newline is indentation: keep it.
    return _replace(text, _json_escape, keep="\n")


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` (non-ASCII kept readable) whose text is terminal-safe."""
    import json

    kwargs.setdefault("ensure_ascii", False)
    return safe_json(json.dumps(data, **kwargs))


# The same pattern as rich.markup.escape: a "[" that could open a tag, with the backslashes
# before it (rich reads "\[" as a literal bracket, "\\[" as a backslash then a tag).
_MARKUP_TAG_RE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _markup_escape(markup: str) -> str:
    def escape_backslashes(match: re.Match[str]) -> str:
        backslashes, text = match.groups()
        return f"{backslashes}{backslashes}\\{text}"

    markup = _MARKUP_TAG_RE.sub(escape_backslashes, markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def _rich_escape() -> Callable[[str], str]:
    try:
        from rich.markup import escape  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # Rich is the app's dependency, not the core's
        return _markup_escape
    return cast("Callable[[str], str]", escape)


def escape_markup(value: object) -> str:
    """A data value for Rich/Textual markup: terminal-safe, and its brackets shown literally."""
    return _rich_escape()(safe_text(value))
