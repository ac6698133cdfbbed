"""The presentation file envelope: canonical round trip, bare single-part inputs, and a
clear one-line refusal for every malformed shape."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.errors import InputTooLarge, MalformedInput, WalletError
from wallet.present.envelope import MAX_PARTS, Envelope, Part, build_envelope, parse_envelope

JWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTpob2xkZXIifQ.c2lnbmF0dXJl"
SD_JWT = JWT + "~WyJzYWx0IiwibmFtZSIsIkFsZXgiXQ~" + JWT
VP = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}


def body(**overrides: Any) -> bytes:
    doc: dict[str, Any] = {
        "type": "LearnerWalletPresentation",
        "version": 1,
        "audience": "Acme",
        "nonce": "n1",
        "created": "2026-11-23T10:00:00Z",
        "parts": [{"format": "vp-jwt", "data": JWT}],
    }
    doc.update(overrides)
    return json.dumps(doc).encode()


def test_build_parse_round_trip_is_canonical() -> None:
    parts = [Part("sd-jwt", SD_JWT), Part("vp-jwt", JWT), Part("vp-ldp", VP)]
    data = build_envelope(parts, audience="Acme Hiring", nonce="K7QF", created="2026-11-23")
    parsed = parse_envelope(data)
    assert parsed == Envelope(tuple(parts), "Acme Hiring", "K7QF", "2026-11-23")
    assert json.loads(data)["type"] == "LearnerWalletPresentation"
    # Any JSON spelling of the same envelope parses to the same thing.
    assert parse_envelope(json.dumps(json.loads(data), indent=2).encode()) == parsed


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        (SD_JWT.encode(), "sd-jwt"),
        (JWT.encode() + b"\n", "vp-jwt"),
        (json.dumps(VP).encode(), "vp-ldp"),
    ],
)
def test_bare_inputs_are_one_part(raw: bytes, fmt: str) -> None:
    parsed = parse_envelope(raw)
    assert [p.format for p in parsed.parts] == [fmt]
    assert parsed.audience is None and parsed.nonce is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"[1, 2]", "must be JSON"),
        (b"\xff\xfe{}", "must be JSON"),
        (b"not a presentation", "must be JSON"),
        (b"abc~def", "neither JSON nor"),
        (body(type="SomethingElse"), "not a presentation file"),
        (body(version=2), "version 2"),
        (body(parts=[]), "no parts"),
        (body(parts="x"), "no parts"),
        (body(parts=[{"format": "mdoc", "data": "x"}]), "part 1 has no known format"),
        (body(parts=[{"format": "vp-jwt", "data": {"a": 1}}]), "wrong shape"),
        (body(parts=[{"format": "vp-ldp", "data": JWT}]), "wrong shape"),
        (body(parts=[{"format": "vp-jwt", "data": JWT}] * (MAX_PARTS + 1)), "more than"),
        (body(audience=7), "must be strings"),
        (b'{"type": "LearnerWalletPresentation", "type": "VerifiablePresentation"}', "duplicate"),
        (b"{" * 1000 + b"}" * 1000, "."),
    ],
)
def test_malformed_envelopes(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedInput, match=message) as info:
        parse_envelope(raw)
    assert "\n" not in str(info.value)


def test_oversize_json_is_refused() -> None:
    huge = body(nonce="x" * (9 * 1024 * 1024))
    with pytest.raises(InputTooLarge):
        parse_envelope(huge)


def test_oversize_bare_compact_is_refused() -> None:
    with pytest.raises(InputTooLarge):
        parse_envelope(b"a." * (5 * 1024 * 1024) + b"b")


def test_bare_compact_must_use_the_compact_alphabet() -> None:
    with pytest.raises(MalformedInput):
        parse_envelope(b"hello there. this is. prose ~ really")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda kids: (
                st.lists(kids, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["type", "version", "parts", "format", "data", "nonce", "x"]),
                    kids,
                    max_size=5,
                )
            ),
            max_leaves=20,
        ).map(lambda doc: json.dumps(doc).encode()),
    )
)
def test_fuzz_parse_only_raises_wallet_errors(raw: bytes) -> None:
    with contextlib.suppress(WalletError):
        parse_envelope(raw)
