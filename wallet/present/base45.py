"""Base45 (RFC 9285): the QR alphanumeric alphabet, so a QR code stores it in its
densest text mode."""

from __future__ import annotations

from wallet.errors import MalformedInput

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out.append(ALPHABET[c] + ALPHABET[d] + ALPHABET[e])
    if len(data) % 2:
        n = data[-1]
        out.append(ALPHABET[n % 45] + ALPHABET[n // 45])
    return "".join(out)


def decode(text: str) -> bytes:
    try:
        values = [_INDEX[ch] for ch in text]
    except KeyError as exc:
        raise MalformedInput(f"character {exc.args[0]!r} is not Base45") from None
    if len(values) % 3 == 1:
        raise MalformedInput("Base45 text has a dangling character")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise MalformedInput("Base45 triple out of range")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise MalformedInput("Base45 pair out of range")
            out.append(n)
    return bytes(out)
