"""Untrusted bytes in, only the wallet's own errors out."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.engine import verify_credential
from wallet.errors import WalletError
from wallet.formats import baking, detect, registry
from wallet.verify.context import VerifyContext

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _survives(data: bytes) -> None:
    with contextlib.suppress(WalletError):
        detect.detect(data)
    try:
        credential = registry.parse(data)
    except WalletError:
        return
    if credential.format in ("ob2", "ob2-signed"):
        verify_credential(credential, VerifyContext())


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    _survives(data)


@FUZZ
@given(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"<svg>", b"{", b"eyJ", b"<?xml "]), st.binary())
def test_random_bytes_behind_magic(prefix: bytes, rest: bytes) -> None:
    _survives(prefix + rest)


def _mutations():
    return st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    )


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        out[position % len(out)] = value
    return bytes(out)


@FUZZ
@given(edits=_mutations(), cut=st.integers(min_value=0, max_value=2000))
def test_mutated_baked_png(baked_heart: bytes, edits, cut: int) -> None:
    _survives(_mutate(baked_heart, edits))
    _survives(baked_heart[: len(baked_heart) - cut % len(baked_heart)])


@FUZZ
@given(edits=_mutations())
def test_mutated_baked_svg(svg: bytes, kit, edits) -> None:
    baked = baking.bake_svg(svg, kit.to_bytes(kit.assertion()))
    _survives(_mutate(baked, edits))


@FUZZ
@given(edits=_mutations())
def test_mutated_signed_assertion(kit, signer, edits) -> None:
    token = signer.sign(kit.assertion(verification={"type": "SignedBadge", "creator": kit.KEY}))
    _survives(_mutate(token, edits))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(
    field=st.sampled_from(
        [
            "badge",
            "recipient",
            "issuedOn",
            "expires",
            "evidence",
            "verification",
            "id",
            "type",
            "narrative",
            "endorsement",
            "@context",
        ]
    ),
    value=_json_values,
)
def test_assertion_with_odd_field_values(kit, field: str, value) -> None:
    doc = kit.assertion(badge=kit.badge_class(issuer=kit.issuer_profile()))
    doc[field] = value
    _survives(json.dumps(doc).encode())
