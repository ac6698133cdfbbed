"""Public-key encodings: multibase/multicodec (Multikey, did:key) and JWK.

did:key and Multikey values are ``z`` + base58btc(multicodec varint prefix + key bytes);
elliptic-curve keys use the compressed point form.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from wallet.errors import MalformedInput, UnsupportedInput

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

ED25519_PUB = b"\xed\x01"
P256_PUB = b"\x80\x24"
P384_PUB = b"\x81\x24"

_CURVES: dict[bytes, ec.EllipticCurve] = {P256_PUB: ec.SECP256R1(), P384_PUB: ec.SECP384R1()}
_JWK_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384"}
_COORD_BYTES = {"P-256": 32, "P-384": 48}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# Padding, the standard alphabet and whitespace: the decoder would accept them silently.
_NOT_B64URL_CHARS = "=+/ \n"  # str.__contains__ scans in C, faster than a regex search


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or any(c in text for c in _NOT_B64URL_CHARS):
        raise MalformedInput("not base64url text")
    try:
        # base64.urlsafe_b64decode, without its per-call conversions (hot on every JWS).
        data = text.encode("ascii").translate(_FROM_URLSAFE)
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
        raise MalformedInput("not base64url text") from None


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc (``z``) or base64url (``u``) multibase string."""
    if not isinstance(value, str) or len(value) < 2:
        raise MalformedInput("empty multibase value")
    if value[0] == "z":
        try:
            return base58.b58decode(value[1:])
        except ValueError:
            raise MalformedInput("invalid base58btc in multibase value") from None
    if value[0] == "u":
        return b64url_decode(value[1:])
    raise UnsupportedInput(f"multibase prefix {value[0]!r} is not supported")


@functools.lru_cache(maxsize=256)
def public_key_from_multikey(value: str) -> PublicKey:
    # A pure function of the text: base58 decoding and the on-curve check cost more than
    # the signature check, and a verifier meets the same few did:key issuers again and again.
    raw = multibase_decode(value)
    prefix, body = raw[:2], raw[2:]
    if prefix == ED25519_PUB:
        if len(body) != 32:
            raise MalformedInput("Ed25519 multikey must hold 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(body)
    curve = _CURVES.get(prefix)
    if curve is None:
        raise UnsupportedInput(f"multicodec key type 0x{prefix.hex()} is not supported")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, body)
    except ValueError:
        raise MalformedInput("invalid elliptic-curve point in multikey") from None


def multikey_from_public_key(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = ED25519_PUB + key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVE_NAMES:
        prefix = P256_PUB if key.curve.name == "secp256r1" else P384_PUB
        raw = prefix + key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
    else:
        raise UnsupportedInput("only Ed25519, P-256 and P-384 keys have a multikey form here")
    return "z" + base58.b58encode(raw).decode("ascii")


def did_key_from_public_key(key: PublicKey) -> str:
    return "did:key:" + multikey_from_public_key(key)


def public_key_from_jwk(jwk: Any) -> PublicKey:
    if not isinstance(jwk, dict):
        raise MalformedInput("a JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            x = b64url_decode(jwk["x"])
            if len(x) != 32:
                raise MalformedInput("Ed25519 JWK x must be 32 bytes")
            return ed25519.Ed25519PublicKey.from_public_bytes(x)
        if kty == "EC" and crv in _JWK_CURVES:
            x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
            size = _COORD_BYTES[crv]
            if len(x) != size or len(y) != size:
                raise MalformedInput(f"{crv} JWK coordinates must be {size} bytes")
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), _JWK_CURVES[crv]
            )
            return numbers.public_key()
        if kty == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
    except KeyError as exc:
        raise MalformedInput(f"JWK is missing member {exc.args[0]!r}") from None
    except ValueError:
        raise MalformedInput("JWK does not hold a valid public key") from None
    raise UnsupportedInput(f"JWK key type {kty}/{crv} is not supported")


PUBLIC_JWK_MEMBERS = ("kty", "crv", "x", "y", "n", "e")


def same_public_jwk(a: Any, b: Any) -> bool:
    """Whether two JWKs are the same public key: their key members (RFC 7638's), whatever
    else (kid, use, alg) they carry."""
    return all(a.get(m) == b.get(m) for m in PUBLIC_JWK_MEMBERS)


def jwk_from_public_key(key: PublicKey) -> dict[str, Any]:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVE_NAMES:
        crv = _CURVE_NAMES[key.curve.name]
        size = _COORD_BYTES[crv]
        nums = key.public_numbers()
        return {
            "kty": "EC",
            "crv": crv,
            "x": b64url(nums.x.to_bytes(size, "big")),
            "y": b64url(nums.y.to_bytes(size, "big")),
        }
    if isinstance(key, rsa.RSAPublicKey):
        rn = key.public_numbers()
        return {
            "kty": "RSA",
            "n": b64url(rn.n.to_bytes((rn.n.bit_length() + 7) // 8, "big")),
            "e": b64url(rn.e.to_bytes((rn.e.bit_length() + 7) // 8, "big")),
        }
    raise UnsupportedInput("unsupported public key type")
