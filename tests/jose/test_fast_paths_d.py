"""Oracle tests for reading a VC-JWT once (issue 11): detection hands its parsed token to
the parser, and the parse hands the signed parts to the verifier. Each fast path against
the reference path it replaced (detect's own reading, vc_jwt.parse from the bytes, a
verification that parses the bytes afresh), on honest, tampered and random tokens."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet import engine
from wallet.errors import WalletError
from wallet.formats import detect, registry, vc_jwt
from wallet.issuer.samples import DemoIssuer, ob3_credential
from wallet.jsonguard import load_json
from wallet.model import Check, CheckStatus, Credential
from wallet.verify import jws
from wallet.verify.context import VerifyContext

ISSUER = DemoIssuer.p256("Bootcamp", "https://bootcamp.test", "bootcamp-test")
OTHER = DemoIssuer.p256("Other", "https://other.test", "other-test")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(issuer: DemoIssuer = ISSUER, **extra: Any) -> str:
    doc = ob3_credential(
        issuer,
        credential_id="once",
        subject_id="did:example:sam",
        subject_name="Sam",
        achievement_name="Python",
        description="d",
        criteria="c",
    )
    payload = {**doc, "iss": issuer.did, **extra}
    return jws.sign_compact(
        payload, issuer.key, headers={"kid": issuer.verification_method, "typ": "vc+jwt"}
    )


def _reference_format(data: bytes) -> tuple[str, str]:
    """detect as it read the bytes before: jwt_parts for a JWT, load_json for JSON."""
    try:
        kind = detect.container(data)
        if kind in (detect.PNG, detect.SVG, detect.SD_JWT):
            return "ok", kind
        if kind == detect.JWT:
            return "ok", detect.jwt_format(data.decode("ascii").strip())
        return "ok", detect.json_format(load_json(data))
    except WalletError as exc:
        return type(exc).__name__, str(exc)


def _fast_format(data: bytes) -> tuple[str, str]:
    try:
        return "ok", detect.detect_parsed(data)[0]
    except WalletError as exc:
        return type(exc).__name__, str(exc)


def _reference_parse(data: bytes) -> Credential:
    token = jws.parse_compact(data.decode("ascii").strip())
    payload = token.payload_json()
    doc, _ = vc_jwt.credential_document(payload)
    media = "application/vc+jwt" if token.header.get("typ") == "vc+jwt" else "application/jwt"
    return vc_jwt.bounded_by_jwt_times(
        vc_jwt.normalize_vc(doc, fmt=vc_jwt.FORMAT, raw=data, media_type=media), payload
    )


def _reference_signature(data: bytes, ctx: VerifyContext) -> list[Check]:
    vc_jwt._parsed.clear()  # nothing remembered: the bytes are parsed afresh
    return vc_jwt.verify_signature(_reference_parse(data), ctx)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=10,
)
_HEADER = st.fixed_dictionaries(
    {"alg": st.sampled_from(["ES256", "none", "HS256"])},
    optional={"typ": st.sampled_from(["vc+jwt", "statuslist+jwt", "JWT"]), "x": _JSON},
)


@settings(max_examples=300, deadline=None)
@given(
    header=_HEADER | _JSON,
    payload=_JSON | st.dictionaries(st.sampled_from(["vc", "iss", "type", "@context"]), _JSON),
    signature=st.binary(max_size=8),
    raw_header=st.none() | st.text(alphabet="ab{}\"'=-_", max_size=6),
)
def test_detection_gives_the_reference_format_and_error_on_any_token(
    header: Any, payload: Any, signature: bytes, raw_header: str | None
) -> None:
    head = raw_header if raw_header is not None else _b64(json.dumps(header).encode())
    data = f"{head}.{_b64(json.dumps(payload).encode())}.{_b64(signature)}".encode()
    assert _fast_format(data) == _reference_format(data)


def test_detection_gives_the_reference_format_on_json_and_sd_jwt() -> None:
    for data in (
        json.dumps({"type": ["VerifiableCredential"], "@context": []}).encode(),
        b'{"type": "Assertion"}',
        b'{"a": 1, "a": 2}',
        b"[1]",
        _token().encode() + b"~",
        b"",
    ):
        assert _fast_format(data) == _reference_format(data)


def test_the_carried_token_parses_to_the_reference_credential() -> None:
    for data in (_token().encode(), _token(nbf=1767225600, exp=4102444800).encode()):
        assert registry.parse(data) == _reference_parse(data)
        assert vc_jwt.parse(data) == _reference_parse(data)


def _tampered_signature(token: str) -> str:
    head, body, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[5] ^= 1
    return f"{head}.{body}.{_b64(bytes(raw))}"


def _tampered_payload(token: str) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["name"] = "Forged"
    return f"{head}.{_b64(json.dumps(claims).encode())}.{sig}"


@pytest.mark.parametrize(
    ("case", "make", "expected"),
    [
        ("honest", _token, CheckStatus.PASSED),
        ("tampered signature", lambda: _tampered_signature(_token()), CheckStatus.FAILED),
        ("tampered payload", lambda: _tampered_payload(_token()), CheckStatus.FAILED),
        ("iss is not the issuer", lambda: _token(issuer=ISSUER, iss=OTHER.did), CheckStatus.FAILED),
        ("another honest issuer", lambda: _token(issuer=OTHER), CheckStatus.PASSED),
    ],
)
def test_the_remembered_parts_verify_as_a_fresh_parse(
    case: str, make: Any, expected: CheckStatus
) -> None:
    ctx = VerifyContext()
    data = make().encode()
    reference = _reference_signature(data, ctx)
    credential = registry.parse(data)  # remembers the signed parts of these bytes
    assert data in vc_jwt._parsed
    fast = vc_jwt.verify_signature(credential, ctx)
    assert fast == reference
    assert [c.status for c in fast] == [expected]
    report = engine.verify_credential(credential, ctx)
    assert report.check("signature") == reference[0]


def test_a_tampered_token_is_never_judged_by_the_honest_one_remembered() -> None:
    ctx = VerifyContext()
    honest = _token().encode()
    registry.parse(honest)
    forged = _tampered_payload(honest.decode()).encode()
    credential = registry.parse(forged)
    assert [c.status for c in vc_jwt.verify_signature(credential, ctx)] == [CheckStatus.FAILED]
    # the honest control, from its own remembered parts
    control = registry.parse(honest)
    assert [c.status for c in vc_jwt.verify_signature(control, ctx)] == [CheckStatus.PASSED]


def test_changing_the_parsed_document_does_not_change_the_verdict() -> None:
    # The remembered issuers are strings read at parse; the credential's document (the
    # payload object) is the caller's, and what it does to it reaches no check.
    ctx = VerifyContext()
    data = _token(issuer=ISSUER, iss=OTHER.did).encode()
    credential = registry.parse(data)
    credential.document["issuer"] = OTHER.did
    assert vc_jwt.verify_signature(credential, ctx) == _reference_signature(data, ctx)


def test_the_memo_is_bounded() -> None:
    vc_jwt._parsed.clear()
    for i in range(vc_jwt.MAX_PARSED + 5):
        registry.parse(_token(jti=f"urn:uuid:{i}").encode())
    assert len(vc_jwt._parsed) == vc_jwt.MAX_PARSED


def test_a_large_token_is_not_kept_and_verifies_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vc_jwt, "MAX_PARSED_BYTES", 100)
    vc_jwt._parsed.clear()
    ctx = VerifyContext()
    data = _token().encode()
    credential = registry.parse(data)
    assert vc_jwt._parsed == {}
    assert vc_jwt.verify_signature(credential, ctx) == _reference_signature(data, ctx)
    assert [c.status for c in vc_jwt.verify_signature(credential, ctx)] == [CheckStatus.PASSED]
