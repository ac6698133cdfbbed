"""LW1: a presentation as one or more QR codes, byte-exact and offline.

The envelope is re-framed compactly: each compact JWS / SD-JWT is split at ``~`` and ``.``
and every base64url segment stored as its raw bytes (only when re-encoding gives the same
text back). The frame is deflated (zlib, level 9), Base45-encoded, and prefixed ``LW1:``.
When that does not fit one QR code at ECC level M within version 20 (970 alphanumeric
characters), it is cut into balanced parts ``LW1:<i>/<n>:<set>:<chunk>``, scannable in any
order; ``<set>`` is a hash of the whole payload, so parts of another presentation are
refused. Decoding rebuilds the envelope byte for byte, so the original signatures verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from wallet.errors import InputTooLarge, MalformedInput, UsageError
from wallet.jsonguard import load_json_object
from wallet.present import base45
from wallet.present.envelope import Envelope, Part, parse_envelope, serialize

PREFIX = "LW1:"
FRAME_VERSION = 1
QR_CAPACITY = 970  # alphanumeric characters, version 20, ECC level M
MAX_QR_VERSION = 20
MAX_FRAME_BYTES = 4 * 1024 * 1024
MAX_PARTS = 99
MAX_IMAGE_PIXELS = 40_000_000
ALPHANUMERIC_MODE: Literal[2] = 2  # qrcode.util.MODE_ALPHA_NUM
_PART_RE = re.compile(r"LW1:(\d{1,2})/(\d{1,2}):([0-9A-F]{6}):(.+)", re.DOTALL)
_FORMAT_CODES = {"sd-jwt": 1, "vp-jwt": 2, "vp-ldp": 3}
_FORMATS = {v: k for k, v in _FORMAT_CODES.items()}
_SEPARATORS = {"": 0, ".": 1, "~": 2}
_SEPARATOR_CHARS = {v: k for k, v in _SEPARATORS.items()}


# -- frame --------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise MalformedInput("QR payload is truncated")
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self) -> int:
        shift = value = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 35:
                raise MalformedInput("QR payload has a bad length")

    def blob(self) -> bytes:
        n = self.varint()
        if self.pos + n > len(self.data):
            raise MalformedInput("QR payload is truncated")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def text(self) -> str:
        try:
            return self.blob().decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedInput("QR payload holds invalid text") from None


def _b64url_bytes(segment: str) -> bytes | None:
    """The bytes behind a base64url segment, if re-encoding them gives the segment back."""
    if not segment or not re.fullmatch(r"[A-Za-z0-9_-]+", segment):
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == segment else None


def _segments(compact: str) -> Iterator[tuple[str, str]]:
    """(separator before it, segment) for each piece of a compact JWS/SD-JWT."""
    separator = ""
    for token in re.split(r"([.~])", compact):
        if token in (".", "~"):
            separator = token
            continue
        yield separator, token
        separator = ""


def _pack_compact(compact: str) -> bytes:
    pieces = list(_segments(compact))
    out = bytearray(_varint(len(pieces)))
    for separator, segment in pieces:
        raw = _b64url_bytes(segment)
        kind = 1 if raw is not None else 0
        out.append(_SEPARATORS[separator] << 1 | kind)
        body = raw if raw is not None else segment.encode("utf-8")
        out += _varint(len(body)) + body
    return bytes(out)


def _unpack_compact(reader: _Reader) -> str:
    text = []
    for _ in range(reader.varint()):
        flags = reader.byte()
        separator = _SEPARATOR_CHARS.get(flags >> 1)
        if separator is None or flags & ~0b111:
            raise MalformedInput("QR payload has a bad segment header")
        body = reader.blob()
        if flags & 1:
            segment = base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")
        else:
            try:
                segment = body.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput("QR payload holds invalid text") from None
        text.append(separator + segment)
    return "".join(text)


def _opt(text: str | None) -> bytes:
    return b"\x00" if text is None else b"\x01" + _varint(len(text.encode())) + text.encode()


def _read_opt(reader: _Reader) -> str | None:
    flag = reader.byte()
    if flag not in (0, 1):
        raise MalformedInput("QR payload has a bad field flag")
    return reader.text() if flag else None


def pack(envelope_bytes: bytes) -> bytes:
    """The compact frame of an envelope. Refuses an envelope we could not rebuild exactly."""
    envelope = parse_envelope(envelope_bytes)
    if serialize(envelope) != envelope_bytes.strip():
        raise UsageError(
            "only canonical presentation files (as the wallet writes them) go into QR codes"
        )
    out = bytearray([FRAME_VERSION])
    out += _opt(envelope.audience) + _opt(envelope.nonce) + _opt(envelope.created)
    out += _varint(len(envelope.parts))
    for part in envelope.parts:
        out.append(_FORMAT_CODES[part.format])
        if isinstance(part.data, str):
            out += _pack_compact(part.data)
        else:
            body = json.dumps(part.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            out += _varint(len(body.encode())) + body.encode()
    return bytes(out)


def unpack(frame: bytes) -> bytes:
    reader = _Reader(frame)
    if reader.byte() != FRAME_VERSION:
        raise MalformedInput("QR payload is of an unknown version")
    audience, nonce, created = _read_opt(reader), _read_opt(reader), _read_opt(reader)
    count = reader.varint()
    if count > 50:
        raise MalformedInput("QR payload lists too many parts")
    parts = []
    for _ in range(count):
        fmt = _FORMATS.get(reader.byte())
        if fmt is None:
            raise MalformedInput("QR payload has an unknown part format")
        if fmt == "vp-ldp":
            parts.append(Part(fmt, load_json_object(reader.blob(), what="presentation")))
        else:
            parts.append(Part(fmt, _unpack_compact(reader)))
    if reader.pos != len(frame):
        raise MalformedInput("QR payload has trailing bytes")
    return serialize(Envelope(tuple(parts), audience, nonce, created))


# -- text payloads --------------------------------------------------------------------------


def _set_id(body: str) -> str:
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:6].upper()


def encode(envelope_bytes: bytes, *, capacity: int = QR_CAPACITY) -> list[str]:
    """QR payload strings for a presentation: one when it fits, else balanced parts."""
    body = base45.encode(zlib.compress(pack(envelope_bytes), 9))
    if len(PREFIX) + len(body) <= capacity:
        return [PREFIX + body]
    set_id = _set_id(body)
    header = len(f"{PREFIX}99/99:{set_id}:")
    count = math.ceil(len(body) / (capacity - header))
    if count > MAX_PARTS:
        raise UsageError(f"the presentation needs {count} QR codes; the limit is {MAX_PARTS}")
    size = math.ceil(len(body) / count)
    return [
        f"{PREFIX}{i + 1}/{count}:{set_id}:{body[i * size : (i + 1) * size]}" for i in range(count)
    ]


def decode(payloads: list[str]) -> bytes:
    """Rebuild the presentation file from QR payloads scanned in any order."""
    # Base45 includes the space character: strip line ends only, never spaces.
    texts = [p.strip("\r\n") for p in payloads if p.strip("\r\n")]
    if not texts:
        raise MalformedInput("no QR payload given")
    for t in texts:
        if not t.startswith(PREFIX):
            raise MalformedInput(
                "this QR code is not a Learner Wallet presentation (no LW1: prefix)"
            )
    singles = [t for t in texts if not _PART_RE.fullmatch(t)]
    if singles:
        if len(set(texts)) != 1:
            raise MalformedInput("a single-code presentation was mixed with other codes")
        body = singles[0][len(PREFIX) :]
    else:
        body = _join_parts(texts)
    try:
        compressed = base45.decode(body)
    except MalformedInput:
        raise MalformedInput("QR payload is corrupted (bad Base45)") from None
    inflater = zlib.decompressobj()
    try:
        frame = inflater.decompress(compressed, MAX_FRAME_BYTES)
    except zlib.error:
        raise MalformedInput("QR payload is corrupted (cannot inflate)") from None
    if inflater.unconsumed_tail:
        raise InputTooLarge(f"QR payload inflates past {MAX_FRAME_BYTES} bytes")
    if not inflater.eof:
        raise MalformedInput("QR payload is truncated")
    if inflater.unused_data:
        raise MalformedInput("QR payload has trailing bytes after the compressed data")
    return unpack(frame)


def _join_parts(texts: list[str]) -> str:
    parts: dict[int, str] = {}
    total: int | None = None
    set_id: str | None = None
    for text in texts:
        match = _PART_RE.fullmatch(text)
        assert match is not None
        index, count, this_set, chunk = int(match[1]), int(match[2]), match[3], match[4]
        if set_id is None:
            set_id, total = this_set, count
        if this_set != set_id or count != total:
            raise MalformedInput("QR codes from two different presentations were mixed")
        if not 1 <= index <= count:
            raise MalformedInput(f"QR part number {index} of {count} is out of range")
        if index in parts and parts[index] != chunk:
            raise MalformedInput(
                f"QR part {index} of {count} was scanned twice with different content"
            )
        parts[index] = chunk
    assert total is not None and set_id is not None
    missing = [i for i in range(1, total + 1) if i not in parts]
    if missing:
        raise MalformedInput(f"QR part {missing[0]} of {total} is missing")
    body = "".join(parts[i] for i in range(1, total + 1))
    if _set_id(body) != set_id:
        raise MalformedInput(
            "the QR parts do not fit together (corrupted or from another presentation)"
        )
    return body


# -- images ---------------------------------------------------------------------------------


BORDER = 4  # quiet zone, in modules, the standard's minimum
PNG_SCALE = 8  # pixels per module


@dataclass(frozen=True)
class Symbol:
    """One QR code, built once: its version, its modules (quiet zone included, one
    ``bytes`` a row, 1 = dark) and the zxing-cpp barcode behind them (for its SVG)."""

    version: int
    rows: tuple[bytes, ...]
    barcode: Any

    def get_matrix(self) -> list[list[bool]]:
        """A fresh matrix (True is dark) the caller may change."""
        return [[bool(m) for m in row] for row in self.rows]


@lru_cache(maxsize=64)
def symbol(payload: str) -> Symbol:
    """The QR code of ``payload`` at ECC level M in the smallest version that holds it.

    zxing-cpp's writer (zint, in C) picks the mode and evaluates all eight masks as the
    standard says, in about 2 ms for a version 20 code; pure-Python encoders spend 25 to
    50 ms a code on the mask choice alone. Cached (a pure function of the text): finding
    how many codes fit a terminal and then drawing them builds each code once."""
    import zxingcpp
    from PIL import Image

    try:
        barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    except (ValueError, RuntimeError) as exc:  # zint refuses too long or empty input
        raise UsageError(f"QR payload cannot be encoded: {str(exc)[:120]}") from None
    # As zxing-cpp documents it: its Image through the array interface; 0 is dark.
    image = Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False))
    size = image.width
    version = (size - 17) // 4
    if image.height != size or size != 17 + 4 * version or version < 1:
        raise UsageError("QR writer returned a symbol of an unexpected size")
    if version > MAX_QR_VERSION:
        raise UsageError(f"QR payload needs version {version}; the limit is {MAX_QR_VERSION}")
    pixels = image.tobytes()
    dark = bytes.maketrans(bytes(range(256)), b"\x01" * 128 + b"\x00" * 128)
    blank = bytes(size + 2 * BORDER)
    margin = bytes(BORDER)
    rows = [
        margin + pixels[y * size : (y + 1) * size].translate(dark) + margin for y in range(size)
    ]
    return Symbol(version, (blank,) * BORDER + tuple(rows) + (blank,) * BORDER, barcode)


# The name views.py reads the matrix through.
_qr = symbol


def qr_version(payload: str) -> int:
    return symbol(payload).version


def to_png(payload: str) -> bytes:
    """Black on white, PNG_SCALE pixels a module, quiet zone included (1-bit PNG)."""
    from PIL import Image

    rows = symbol(payload).rows
    light = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # to 0 dark, 255 light
    image = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows).translate(light))
    # Nearest neighbour at an integer factor: every module becomes a solid square.
    scaled = (image.width * PNG_SCALE, image.height * PNG_SCALE)
    image = image.resize(scaled, Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(out, format="PNG")
    return out.getvalue()


def to_svg(payload: str) -> bytes:
    """The same modules as SVG paths, with the standard quiet zone."""
    svg: str = symbol(payload).barcode.to_svg(scale=PNG_SCALE, add_quiet_zones=True)
    return svg.encode("utf-8")


def to_terminal(payload: str) -> str:
    """Half-block text: two QR rows per terminal line, with a quiet zone."""
    matrix = symbol(payload).get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    glyphs = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    lines = []
    for top, bottom in zip(matrix[::2], matrix[1::2], strict=True):
        lines.append("".join(glyphs[(t, b)] for t, b in zip(top, bottom, strict=True)))
    return "\n".join(lines)


def read_qr_images(images: list[bytes], names: list[str] | None = None) -> list[str]:
    """The text of every QR code in the given PNG/JPEG images (photos or screenshots)."""
    import warnings

    import zxingcpp
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    texts: list[str] = []
    for i, data in enumerate(images):
        name = names[i] if names and i < len(names) else f"image {i + 1}"
        try:
            with warnings.catch_warnings():
                # Past MAX_IMAGE_PIXELS Pillow only warns (up to twice that): refuse it too.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    image.load()
                    # QR only: scanning every symbology sometimes "finds" a 1D barcode
                    # in the modules of a large QR code and reports junk beside it.
                    results = zxingcpp.read_barcodes(
                        image.convert("L"),
                        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
                    )
        except Exception as exc:
            # Untrusted bytes into image decoders that raise many kinds of error (SyntaxError,
            # OSError, ValueError, struct.error, zlib.error, EOFError, DecompressionBomb...):
            # any failure to decode is malformed input, one line, never a traceback.
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise MalformedInput(f"{name}: not a readable image: {detail}") from None
        found = [r.text for r in results if r.text]
        if not found:
            raise MalformedInput(f"no QR code found in {name}")
        texts.extend(found)
    # The same code can be reported twice (seen in one image, or two photos of it).
    return list(dict.fromkeys(texts))
