from __future__ import annotations

import base64
import json

import pytest

from wallet.errors import InputTooLarge, MalformedInput, UnsupportedInput
from wallet.formats import baking, detect


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(header: dict, payload: dict) -> bytes:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.c2ln".encode()


def test_containers(baked_heart: bytes, svg: bytes, kit) -> None:
    assert detect.container(baked_heart) == "png"
    assert detect.container(svg) == "svg"
    assert detect.container(b"  \n" + svg) == "svg"
    assert detect.container(kit.to_bytes(kit.assertion())) == "json"
    assert detect.container(_jwt({"alg": "ES256"}, {"a": 1})) == "jwt"
    assert detect.container(_jwt({"alg": "ES256"}, {"a": 1}) + b"~WyJhIl0~") == "sd-jwt"
    assert detect.container(_jwt({"alg": "ES256"}, {"a": 1}) + b"~\n") == "sd-jwt"


def test_formats(baked_heart: bytes, svg: bytes, kit) -> None:
    ob2 = kit.assertion()
    assert detect.detect(baked_heart) == "png"
    assert detect.detect(svg) == "svg"
    assert detect.detect(kit.to_bytes(ob2)) == "ob2"
    # An assertion without @context but typed Assertion is still OB 2.0.
    assert detect.detect(json.dumps({"type": "Assertion", "badge": "x"}).encode()) == "ob2"
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    assert detect.detect(json.dumps(vc).encode()) == "vc-jsonld"
    ob3 = dict(vc, type=["VerifiableCredential", "OpenBadgeCredential"])
    assert detect.detect(json.dumps(ob3).encode()) == "vc-jsonld"
    clr = dict(vc, type=["VerifiableCredential", "ClrCredential"])
    assert detect.detect(json.dumps(clr).encode()) == "clr"
    assert detect.detect(_jwt({"alg": "RS256"}, ob2)) == "ob2-signed"
    assert detect.detect(_jwt({"alg": "ES256"}, {"vc": vc, "iss": "did:x"})) == "vc-jwt"
    assert detect.detect(_jwt({"alg": "ES256", "typ": "vc+jwt"}, vc)) == "vc-jwt"
    token = _jwt({"alg": "ES256", "typ": "statuslist+jwt"}, {"status_list": {}})
    assert detect.detect(token) == "statuslist-jwt"
    assert detect.detect(_jwt({"alg": "ES256"}, {"a": 1}) + b"~") == "sd-jwt"


def test_baked_payload_detects(heart: bytes, kit) -> None:
    baked = baking.bake_png(heart, kit.to_bytes(kit.assertion()))
    assert detect.detect(baking.unbake(baked)) == "ob2"


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", MalformedInput, "empty"),
        (b"   ", MalformedInput, "empty"),
        (b"hello world", UnsupportedInput, "not a credential we recognise"),
        (b"\xff\xfe\x00", UnsupportedInput, "not a credential we recognise"),
        (b"<html><body/></html>", UnsupportedInput, "not an SVG"),
        (b'{"type": "Thing"}', UnsupportedInput, "type: Thing"),
        (
            b'{"payload": "e30", "protected": "e30", "signature": "c2ln"}',
            UnsupportedInput,
            "JWS JSON",
        ),
        (b"[1, 2]", MalformedInput, "JSON object"),
        (b'{"a": 1, "a": 2}', MalformedInput, "duplicate"),
        (b"{not json", MalformedInput, "not valid JSON"),
        (b"a.b.c.d.e", UnsupportedInput, "JWE"),
        (b"e30.!!!.c2ln", UnsupportedInput, "not a credential"),
        (b"eyJhIjox.e30.c2ln", MalformedInput, "not valid JSON"),
        (b"W10.e30.c2ln", MalformedInput, "header must be a JSON object"),
        (
            b'{"type": ["VerifiablePresentation"]}',
            UnsupportedInput,
            "presentation",
        ),
    ],
)
def test_refusals_are_one_line(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        detect.detect(data)
    assert "\n" not in str(info.value)


def test_200_mb_refused_by_size() -> None:
    huge = b"{" + b" " * (200 * 1024 * 1024)
    with pytest.raises(InputTooLarge, match="limit"):
        detect.detect(huge)
    png = detect.PNG_SIGNATURE + bytes(200 * 1024 * 1024)
    with pytest.raises(InputTooLarge, match="limit"):
        detect.detect(png)
    with pytest.raises(InputTooLarge):
        detect.detect(b"<svg" + bytes(200 * 1024 * 1024))
