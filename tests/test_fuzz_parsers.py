"""Every parser, fed random and mutated input: only the wallet's own errors escape."""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.errors import WalletError
from wallet.formats import baking, clr, detect, ob2, registry, sdjwt, vc_jsonld, vc_jwt
from wallet.issuer.demo import sample_credentials
from wallet.present import envelope

PARSERS: dict[str, Callable[[bytes], object]] = {
    "detect": detect.detect,
    "registry": registry.parse,
    "ob2": ob2.parse,
    "clr": clr.parse,
    "vc_jsonld": vc_jsonld.parse,
    "vc_jwt": vc_jwt.parse,
    "sdjwt": sdjwt.parse,
    "unbake": baking.unbake,
    "envelope": envelope.parse_envelope,
}
SEEDS = [
    data
    for _, data in sample_credentials(
        "did:example:fuzz", {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}
    )
]


def survives(parser: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(WalletError):
        parser(data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=1500))
def test_random_bytes(name: str, data: bytes) -> None:
    survives(PARSERS[name], data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 8))
def test_mutated_real_credentials(name: str, seed: int, flips: int) -> None:
    rng = random.Random(seed)
    original = rng.choice(SEEDS)
    mutated = bytearray(original)
    for _ in range(flips):
        pos = rng.randrange(len(mutated))
        mutated[pos] = rng.choice([0, 0x22, 0x7B, 0x7E, 0x2E, rng.randrange(256)])
    survives(PARSERS[name], bytes(mutated))


@settings(max_examples=80, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=10),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "@context",
                        "type",
                        "issuer",
                        "credentialSubject",
                        "proof",
                        "badge",
                        "recipient",
                        "verify",
                        "verifiableCredential",
                        "achievement",
                        "alignment",
                        "evidence",
                        "credentialStatus",
                    ]
                ),
                c,
                max_size=5,
            )
        ),
        max_leaves=25,
    )
)
def test_structured_json_shapes(value: object) -> None:
    data = json.dumps(value).encode()
    for parser in PARSERS.values():
        survives(parser, data)
