"""Baked badges: credentials carried inside PNG and SVG images (Open Badges 2.0 and 3.0).

PNG: an ``iTXt`` chunk (also ``tEXt``/``zTXt`` from older bakers) with keyword
``openbadges`` (OB 2.0: JSON assertion, signed JWS, or a hosted-assertion URL) or
``openbadgecredential`` (OB 3.0: JSON or JWT). SVG: an ``openbadges:assertion`` element
(OB 2.0; ``verify`` attribute or text content) or ``openbadges:credential`` (OB 3.0).

The PNG reader is our own and strict, because images are untrusted: every CRC is
checked, chunk sizes are bounded by the input, compressed text is inflated with a hard
cap (decompression bombs), and scanning stops at IEND. SVG goes through defusedxml, which
refuses entity declarations (billion laughs) and external references.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from wallet.errors import InputTooLarge, LinkOnly, MalformedInput, UnsupportedInput
from wallet.formats.detect import MAX_IMAGE_BYTES, PNG_SIGNATURE
from wallet.jsonguard import check_size

OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
KEYWORDS = (OB2_KEYWORD, OB3_KEYWORD)

OB2_SVG_NS = "http://openbadges.org"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"

# Compressed text chunks inflate to at most this much; more is a decompression bomb.
MAX_INFLATED_BYTES = 8 * 1024 * 1024
_TEXT_CHUNKS = (b"tEXt", b"iTXt", b"zTXt")
_JWS_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.~-]*)?")


class HostedUrlOnly(LinkOnly):
    """The badge holds only the URL of a hosted assertion; it must be fetched online."""

    code = "hosted_url_only"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"the badge image holds only a URL ({url}); import that URL when online", url
        )


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    start: int  # offset of the length field
    end: int  # offset just past the CRC


# -- PNG ----------------------------------------------------------------------------------------


def _chunks(png: bytes) -> Iterator[_Chunk]:
    if not png.startswith(PNG_SIGNATURE):
        raise MalformedInput("not a PNG image")
    check_size(png, MAX_IMAGE_BYTES)
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > len(png):
            raise MalformedInput("PNG is truncated (no IEND chunk)")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        if not re.fullmatch(rb"[A-Za-z]{4}", ctype):
            raise MalformedInput(f"PNG chunk type {ctype!r} is invalid")
        if length > 0x7FFFFFFF or pos + 12 + length > len(png):
            raise MalformedInput(f"PNG is truncated (chunk {ctype.decode()} runs past the end)")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(ctype + data) != crc:
            raise MalformedInput(f"PNG chunk {ctype.decode()} has a bad CRC")
        if first and ctype != b"IHDR":
            raise MalformedInput("PNG does not start with an IHDR chunk")
        first = False
        chunk = _Chunk(ctype, data, pos, pos + 12 + length)
        yield chunk
        pos = chunk.end
        if ctype == b"IEND":
            return


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error:
        raise MalformedInput("compressed PNG text chunk is corrupt") from None
    if inflater.unconsumed_tail:
        raise InputTooLarge(
            f"compressed PNG text inflates beyond {MAX_INFLATED_BYTES} bytes; refused"
        )
    if not inflater.eof:
        raise MalformedInput("compressed PNG text chunk is truncated")
    return out


def _text_chunk(chunk: _Chunk) -> tuple[str, bytes] | None:
    """(keyword, text bytes) of a tEXt/iTXt/zTXt chunk; None for other chunks."""
    if chunk.type not in _TEXT_CHUNKS:
        return None
    keyword, sep, rest = chunk.data.partition(b"\x00")
    if not sep or not 1 <= len(keyword) <= 79:
        raise MalformedInput(f"PNG {chunk.type.decode()} chunk has no valid keyword")
    name = keyword.decode("latin-1")
    if name not in KEYWORDS:
        return (name, b"")  # not ours: never decompressed
    if chunk.type == b"tEXt":
        return name, rest
    if chunk.type == b"zTXt":
        if not rest or rest[0] != 0:
            raise MalformedInput("PNG zTXt chunk uses an unknown compression method")
        return name, _inflate(rest[1:])
    # iTXt: flag, method, language tag \0, translated keyword \0, text
    if len(rest) < 2:
        raise MalformedInput("PNG iTXt chunk is truncated")
    flag, method = rest[0], rest[1]
    parts = rest[2:].split(b"\x00", 2)
    if len(parts) != 3:
        raise MalformedInput("PNG iTXt chunk is malformed")
    text = parts[2]
    if flag == 1:
        if method != 0:
            raise MalformedInput("PNG iTXt chunk uses an unknown compression method")
        text = _inflate(text)
    elif flag != 0:
        raise MalformedInput("PNG iTXt chunk has an invalid compression flag")
    return name, text


def unbake_png(png: bytes) -> tuple[str, bytes]:
    """(keyword, payload) of the one credential baked into a PNG."""
    found: list[tuple[str, bytes]] = []
    for chunk in _chunks(png):
        text = _text_chunk(chunk)
        if text is not None and text[0] in KEYWORDS:
            found.append(text)
    if not found:
        raise UnsupportedInput("the PNG image holds no baked badge")
    if len(found) > 1:
        # Two credentials in one image: which one the user sees would be ambiguous.
        raise MalformedInput("the PNG image holds more than one baked credential")
    return found[0]


def bake_png(image: bytes, payload: bytes, keyword: str = OB2_KEYWORD) -> bytes:
    """``image`` with ``payload`` baked in an uncompressed iTXt chunk right after IHDR.

    Any credential baked before (either keyword) is removed first.
    """
    if keyword not in KEYWORDS:
        raise UnsupportedInput(f"unknown baking keyword {keyword!r}")
    out = bytearray(PNG_SIGNATURE)
    for chunk in _chunks(image):
        text = _text_chunk(chunk)
        if text is not None and text[0] in KEYWORDS:
            continue
        out += image[chunk.start : chunk.end]
        if chunk.type == b"IHDR":
            body = keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + payload
            out += struct.pack(">I", len(body)) + b"iTXt" + body
            out += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    return bytes(out)


# -- SVG ----------------------------------------------------------------------------------------


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _is_ob_namespace(ns: str) -> bool:
    return ns in (OB2_SVG_NS, OB3_SVG_NS) or "openbadges" in ns or "imsglobal.org/ob" in ns


def _parse_svg(svg: bytes) -> Element:
    check_size(svg, MAX_IMAGE_BYTES)
    try:
        root = SafeET.fromstring(svg)
    except DefusedXmlException:
        raise MalformedInput("SVG declares entities or external references; refused") from None
    except (ParseError, ValueError) as exc:
        raise MalformedInput(f"SVG is not well-formed XML ({exc})") from None
    except LookupError:  # an XML declaration naming an encoding Python does not know
        raise MalformedInput("SVG declares an unknown text encoding") from None
    if _local(root.tag)[1] != "svg":
        raise UnsupportedInput("XML document is not an SVG image")
    return root


def unbake_svg(svg: bytes) -> tuple[str, bytes]:
    """(keyword, payload) of the credential baked into an SVG image."""
    root = _parse_svg(svg)
    found: list[tuple[str, bytes]] = []
    for element in root.iter():
        ns, local = _local(element.tag)
        if not _is_ob_namespace(ns) or local not in ("assertion", "credential"):
            continue
        keyword = OB2_KEYWORD if local == "assertion" else OB3_KEYWORD
        text = (element.text or "").strip()
        verify = (element.get("verify") or "").strip()
        if text:
            found.append((keyword, text.encode("utf-8")))
        elif verify and _JWS_RE.fullmatch(verify):
            found.append((keyword, verify.encode("ascii")))
        elif verify:
            raise HostedUrlOnly(verify)
        else:
            raise MalformedInput(f"SVG openbadges:{local} element is empty")
    if not found:
        raise UnsupportedInput("the SVG image holds no baked badge")
    if len(found) > 1:
        raise MalformedInput("the SVG image holds more than one baked credential")
    return found[0]


_SVG_OPEN = re.compile(rb"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def bake_svg(svg: bytes, payload: bytes, keyword: str = OB2_KEYWORD) -> bytes:
    """``svg`` with ``payload`` in an ``openbadges:assertion`` (OB 2.0) or
    ``openbadges:credential`` (OB 3.0) element, as the first child of the root."""
    if keyword not in KEYWORDS:
        raise UnsupportedInput(f"unknown baking keyword {keyword!r}")
    try:
        unbake_svg(svg)
    except HostedUrlOnly:
        raise MalformedInput("the SVG image already holds a baked badge") from None
    except UnsupportedInput:
        pass  # no badge yet: the expected case (malformed XML raised MalformedInput)
    else:
        raise MalformedInput("the SVG image already holds a baked badge")
    match = _SVG_OPEN.search(svg)
    if match is None or match.group(0).endswith(b"/>"):
        raise MalformedInput("SVG has no <svg> start tag to bake into")
    local, ns = ("assertion", OB2_SVG_NS) if keyword == OB2_KEYWORD else ("credential", OB3_SVG_NS)
    # "]]>" cannot appear inside CDATA: split it across two sections.
    cdata = payload.replace(b"]]>", b"]]]]><![CDATA[>")
    element = (
        f'<openbadges:{local} xmlns:openbadges="{ns}"><![CDATA['.encode()
        + cdata
        + f"]]></openbadges:{local}>".encode()
    )
    baked = svg[: match.end()] + element + svg[match.end() :]
    # The first "<svg" might sit in a comment: make sure the result reads back.
    if unbake_svg(baked) != (keyword, payload.strip()):
        raise MalformedInput("could not bake into this SVG (its <svg> tag is not where expected)")
    return baked


# -- both -----------------------------------------------------------------------------------------


def extract(image: bytes) -> tuple[str, bytes]:
    """(keyword, payload) of the credential baked into a PNG or SVG badge image.

    A payload that is only a URL (an OB 2.0 hosted assertion) raises HostedUrlOnly.
    """
    keyword, payload = unbake_png(image) if image.startswith(PNG_SIGNATURE) else unbake_svg(image)
    text = payload.strip()
    if re.fullmatch(rb"https?://\S+", text):
        raise HostedUrlOnly(text.decode("ascii"))
    if not text:
        raise MalformedInput("the baked badge is empty")
    return keyword, text


def unbake(image: bytes) -> bytes:
    """The credential bytes baked into a PNG or SVG badge image."""
    return extract(image)[1]
