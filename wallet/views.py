"""What the terminal app needs besides the wallet object, kept behind ``wallet.api``:
safe display text, the framework view of a credential, nonces, QR codes, and reading the
files a learner points at."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from wallet.errors import InputTooLarge, NotFound
from wallet.textsafe import safe_text

if TYPE_CHECKING:
    from wallet.model import Credential, VerificationReport
    from wallet.render import Component

MAX_SOURCE_BYTES = 32 * 1024 * 1024
NONCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


def display_text(value: object) -> str:
    """``value`` with control characters, escapes and bidi overrides made visible."""
    return safe_text(value)


def components(credential: Credential, report: VerificationReport | None = None) -> list[Component]:
    """The six framework components, the same for `wallet show`, the app and verifier mode;
    with the report, endorsements say whether they were verified."""
    from wallet.render import framework_components

    return framework_components(credential, report)


def age_text(seconds: int) -> str:
    """How long ago, in words: for the age of a cached status list or key."""
    if seconds < 60:
        return "just now"
    if seconds < 7200:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 172800:
        return f"{seconds // 3600} hours ago"
    return f"{seconds // 86400} days ago"


def new_nonce() -> str:
    code = "".join(secrets.choice(NONCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def qr_codes(envelope: bytes) -> list[str]:
    from wallet.present import qr

    return qr.encode(envelope)


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of one QR code, quiet zone included (True is dark)."""
    from wallet.present import qr

    matrix: list[list[bool]] = qr._qr(payload).get_matrix()
    return matrix


def qr_png(payload: str) -> bytes:
    from wallet.present import qr

    return qr.to_png(payload)


def qr_svg(payload: str) -> bytes:
    from wallet.present import qr

    return qr.to_svg(payload)


def files_in(path: Path) -> list[Path]:
    """The file itself, or every file under a folder, in a stable order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.is_file():
        return [path]
    raise NotFound(f"{path}: no such file or folder")


def read_source(path: Path) -> list[bytes]:
    """The credential bytes in one file: itself, a baked badge, or the QR codes in a picture."""
    from wallet.sources import credential_payloads

    return credential_payloads(str(path), source_bytes(path))


def presentation_bytes(sources: list[tuple[str, bytes]]) -> bytes:
    """One presentation from what the interviewer was handed: a file, pasted text, or
    photos of its QR codes in any order."""
    from wallet.errors import UsageError
    from wallet.present import qr
    from wallet.sources import is_image

    payloads: list[str] = []
    documents: list[bytes] = []
    for name, data in sources:
        if is_image(data):
            payloads.extend(qr.read_qr_images([data], names=[name]))
        elif data.lstrip().startswith(b"LW1:"):
            # One payload per line; Base45 has spaces, so never split on them.
            text = data.decode("ascii", "replace")
            payloads.extend(line for line in text.splitlines() if line.strip())
        else:
            documents.append(data)
    if (payloads and documents) or len(documents) > 1 or not (payloads or documents):
        raise UsageError("give one presentation: a file, pasted text, or its QR codes")
    return qr.decode(payloads) if payloads else documents[0]


def disclosable_claims(credential: Credential) -> list[tuple[str, str]]:
    """(JSON Pointer, value as text) of each claim the holder may disclose on its own."""
    import json

    from wallet.formats import claimpath

    rows = []
    for pointer in credential.disclosable:
        found, value = claimpath.lookup(credential.document, pointer)
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append((pointer, shown if found else ""))
    return rows


def too_large(name: object) -> InputTooLarge:
    return InputTooLarge(
        f"{name}: larger than the {MAX_SOURCE_BYTES // 2**20} MiB limit for input files"
    )


def read_capped(handle: BinaryIO, name: str) -> bytes:
    """At most the input-file limit from an open file (or stdin)."""
    data = handle.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise too_large(name)
    return data


def source_bytes(path: Path) -> bytes:
    """A file's bytes, capped like every other input; a file that is not there is NotFound."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise too_large(path)
        with path.open("rb") as handle:
            return read_capped(handle, str(path))
    except OSError as exc:  # missing, vanished, unreadable (permissions), a read error
        raise NotFound(f"{path}: cannot be read ({exc.strerror or exc})") from None


def baked_badge(credential: Credential, kind: str = "png") -> bytes | None:
    """The credential baked into a plain badge image (PNG or SVG), for Open Badges (2.0
    JSON assertions and 3.0 JSON-LD credentials); None for formats that cannot be baked."""
    import io

    from PIL import Image

    from wallet.formats import baking

    if credential.format == "ob2" and credential.raw.lstrip().startswith(b"{"):
        keyword = baking.OB2_KEYWORD
    elif credential.format == "vc-jsonld":
        keyword = baking.OB3_KEYWORD
    else:
        return None
    if kind == "svg":
        svg = (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">'
            b'<circle cx="128" cy="128" r="120" fill="#1f6feb"/></svg>'
        )
        return baking.bake_svg(svg, credential.raw, keyword)
    out = io.BytesIO()
    Image.new("RGB", (256, 256), "#1f6feb").save(out, "PNG")
    return baking.bake_png(out.getvalue(), credential.raw, keyword)


def qr_terminal(payload: str) -> str:
    """One QR code as half-block text for a terminal."""
    from wallet.present import qr

    return qr.to_terminal(payload)


def qr_version(payload: str) -> int:
    from wallet.present import qr

    return qr.qr_version(payload)


def qr_codes_fitting(envelope: bytes, columns: int) -> list[str]:
    """The presentation's QR codes, each at most ``columns`` wide as half-block text (one
    column per module, quiet zone included): more, smaller codes when needed. UsageError
    says how wide the terminal must be when even the smallest split cannot fit."""
    from wallet.errors import UsageError
    from wallet.present import qr

    capacity = qr.QR_CAPACITY
    while capacity >= MIN_QR_CAPACITY:
        try:
            codes = qr.encode(envelope, capacity=capacity)
        except UsageError:
            break  # too many parts: smaller codes cannot help
        widest = max(len(qr_matrix(code)) for code in codes)
        if widest <= columns:
            return codes
        capacity = capacity * 3 // 4
    smallest = qr.encode(envelope)
    need = min(len(qr_matrix(code)) for code in smallest[:1])
    raise UsageError(
        f"the terminal is {columns} columns wide; these QR codes need at least {need}: widen it"
        " or write them to a file with --qr FILE.png"
    )


MIN_QR_CAPACITY = 200
