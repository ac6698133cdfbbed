"""Compact JWS parsing and signing edge cases: strict base64url, malformed JSON, joserfc
keys, algorithm/key fit, and VC-JWT claim shapes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from joserfc.jwk import ECKey, OctKey, OKPKey

from wallet.errors import MalformedInput, UsageError
from wallet.formats import vc_jwt
from wallet.verify import jws, keys


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: Any, payload: Any, signature: bytes = b"s" * 64) -> str:
    head = header if isinstance(header, str) else _b64(json.dumps(header).encode())
    body = payload if isinstance(payload, str) else _b64(json.dumps(payload).encode())
    return f"{head}.{body}.{_b64(signature)}"


GOOD_HEAD = {"alg": "ES256"}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "three"),
        ("a.b.c.d", "three"),
        (_token(GOOD_HEAD, {"a": 1}) + "!", "base64url"),
        (_token(GOOD_HEAD, {"a": 1}).replace(".", ".+", 1), "base64url"),
        (_token(GOOD_HEAD, {"a": 1}).replace(".", ".=", 1), "base64url"),
        (_token(GOOD_HEAD, {"a": 1}).replace(".", ". ", 1), "base64url"),
        (_token("e30x", {"a": 1}), None),  # length 4k+1: not base64 at all
        (_token(_b64(b"not json"), {"a": 1}), None),
        (_token(_b64(b"[1, 2]"), {"a": 1}), "object"),
        (_token(GOOD_HEAD, ""), "detached"),
        (_token(_b64(b'{"alg": "ES256", "alg": "none"}'), {"a": 1}), None),
    ],
    ids=[
        "two parts",
        "four parts",
        "bang",
        "plus",
        "padding",
        "space",
        "bad length",
        "header not json",
        "header array",
        "detached",
        "duplicate header member",
    ],
)
def test_malformed_compact_jws(token: str, message: str | None) -> None:
    with pytest.raises(MalformedInput, match=message):
        jws.parse_compact(token)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ECKey.generate_key("P-256"),
        lambda: ECKey.generate_key("P-384"),
        lambda: OKPKey.generate_key("Ed25519"),
    ],
    ids=["ES256", "ES384", "EdDSA"],
)
def test_joserfc_private_keys_sign_and_verify(make: Any) -> None:
    key = make()
    token = jws.sign_compact({"hello": "world"}, key, headers={"kid": "k"})
    parsed = jws.parse_compact(token)
    assert parsed.header["alg"] == jws.alg_for(key)
    jws.verify_with_jwk(parsed, key.as_dict(private=False))
    assert parsed.payload_json() == {"hello": "world"}


def test_a_shared_secret_or_public_key_cannot_sign() -> None:
    with pytest.raises(UsageError):
        jws.sign_compact({"a": 1}, OctKey.generate_key(256), "ES256")  # type: ignore[arg-type]
    public_only = ECKey.import_key(ECKey.generate_key("P-256").as_dict(private=False))
    with pytest.raises(UsageError, match="private"):
        jws.sign_compact({"a": 1}, public_only)


def test_algorithm_must_fit_the_key_and_the_allow_list() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(UsageError, match="P-384"):
        jws.sign_compact({"a": 1}, p256, "ES384")
    with pytest.raises(UsageError, match="Ed25519"):
        jws.sign_compact({"a": 1}, p256, "EdDSA")
    for alg in ("HS256", "none", "PS256"):
        with pytest.raises(UsageError, match="allow-list"):
            jws.sign_compact({"a": 1}, p256, alg)


def test_headers_cannot_override_the_signing_alg() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    token = jws.sign_compact({"a": 1}, key, headers={"alg": "none", "typ": "JWT"})
    parsed = jws.parse_compact(token)
    assert parsed.header == {"alg": "EdDSA", "typ": "JWT"}
    jws.verify_with_jwk(parsed, keys.jwk_from_public_key(key.public_key()))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"iss": 5, "vc": {}}, "iss"),
        ({"vc": "a string"}, "vc claim"),
        ({"vc": {"type": ["VerifiableCredential"]}, "nbf": "yesterday"}, "nbf"),
        ({"vc": {"type": ["VerifiableCredential"]}, "exp": True}, "exp"),
        ({"vc": {"type": ["VerifiableCredential"]}, "nbf": 1e300}, "range"),
    ],
)
def test_vc_jwt_claim_shapes_are_malformed(payload: dict[str, Any], message: str) -> None:
    token = jws.sign_compact(payload, ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(MalformedInput, match=message):
        vc_jwt.parse(token.encode())


def test_non_ascii_vc_jwt_is_malformed() -> None:
    with pytest.raises(MalformedInput, match="ASCII"):
        vc_jwt.parse("eyJhbGciOiJFUzI1NiJ9.é.x".encode())
