"""Key-bound SD-JWT VC presentation verification: ours (public API and internal), the
reference ``sd-jwt`` library on the same presentation, and two bare ES256 verifies (the
floor: issuer signature + KB-JWT). Interleaved rounds, medians, so drift hits all alike."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from bench import _table
from wallet import api
from wallet.present import sdjwt as present_sd
from wallet.verify import keys
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

ISS = "https://bench-issuer.example"
AUD = "https://verifier.example"
NONCE = "bench-nonce-1"
ROUNDS = 30
ITERATIONS = 50


def _ctx(issuer_jwk: dict[str, Any]) -> VerifyContext:
    cache = MemoryCache()
    body = json.dumps({"issuer": ISS, "jwks": {"keys": [issuer_jwk]}}).encode()
    host = ISS.partition("://")[2]
    url = f"https://{host}/.well-known/jwt-vc-issuer"
    cache.put(CachedDocument(url, body, datetime.now(UTC)))
    return VerifyContext(cache=cache, now=datetime.now(UTC))


def build() -> tuple[str, dict[str, Any], VerifyContext]:
    """The presentation (10 disclosable claims, 3 disclosed), the issuer JWK, a context."""
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    holder_key = ec.generate_private_key(ec.SECP256R1())
    issuer_jwk = keys.jwk_from_public_key(issuer_key.public_key())
    claims = {f"claim_{i}": f"value {i}" for i in range(10)}
    claims["vct"] = "https://bench.example/credentials/course"
    issued = present_sd.issue(
        claims,
        [f"claim_{i}" for i in range(10)],
        issuer_key,
        iss=ISS,
        holder_jwk=keys.jwk_from_public_key(holder_key.public_key()),
    )
    text = present_sd.present(
        issued, ["claim_0", "claim_4", "claim_7"], holder_key, audience=AUD, nonce=NONCE
    )
    return text, issuer_jwk, _ctx(issuer_jwk)


def _bare(text: str, issuer_jwk: dict[str, Any]) -> Callable[[], object]:
    """Two ES256 verifies with cryptography alone (keys already imported)."""
    jwt, *_, kb = text.split("~")
    issuer_pub = keys.public_key_from_jwk(issuer_jwk)
    payload = json.loads(keys.b64url_decode(jwt.split(".")[1]))
    holder_pub = keys.public_key_from_jwk(payload["cnf"]["jwk"])
    pairs = []
    for token, pub in ((jwt, issuer_pub), (kb, holder_pub)):
        head, body, sig = token.split(".")
        raw = keys.b64url_decode(sig)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        pairs.append((pub, der, f"{head}.{body}".encode("ascii")))
    algorithm = ec.ECDSA(hashes.SHA256())

    def run() -> None:
        for pub, der, signed in pairs:
            assert isinstance(pub, ec.EllipticCurvePublicKey)
            pub.verify(der, signed, algorithm)

    return run


def _reference(text: str, issuer_jwk: dict[str, Any]) -> Callable[[], object]:
    from jwcrypto.jwk import JWK
    from sd_jwt.verifier import SDJWTVerifier

    def run() -> object:
        verifier = SDJWTVerifier(
            text,
            lambda iss, header: JWK.from_json(json.dumps(issuer_jwk)),
            expected_aud=AUD,
            expected_nonce=NONCE,
        )
        return verifier.get_verified_payload()

    return run


def timings() -> dict[str, float]:
    """Median microseconds per verification for each contender."""
    text, issuer_jwk, ctx = build()
    data = text.encode("ascii")

    # Imported keys stay cached, as they would for a verifier that sees the same issuers.
    def ours_api() -> object:
        result = api.verify_presentation(data, ctx, audience=AUD, nonce=NONCE)
        assert result.verdict.value.startswith("valid"), result.to_dict()
        return result

    def ours_internal() -> object:
        result = present_sd.verify_presentation(text, ctx, audience=AUD, nonce=NONCE)
        assert all(c.status.value == "passed" for c in result.checks), result.checks
        return result

    contenders: dict[str, Callable[[], object]] = {
        "api.verify_presentation": ours_api,
        "present.sdjwt.verify_presentation": ours_internal,
        "sd_jwt reference verifier": _reference(text, issuer_jwk),
        "2 bare ES256 verifies": _bare(text, issuer_jwk),
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()
    for _ in range(ROUNDS):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(ITERATIONS):
                fn()
            samples[name].append((time.perf_counter() - start) / ITERATIONS * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    medians = timings()
    reference = medians["sd_jwt reference verifier"]
    floor = medians["2 bare ES256 verifies"]
    print(f"SD-JWT VC + KB-JWT, 10 disclosable / 3 disclosed, ES256; sd-jwt {version('sd-jwt')}")
    print(f"{'':36} {'median us':>10} {'ref / this':>11} {'this / bare':>12}")
    for name, value in medians.items():
        print(f"{name:36} {value:10.1f} {reference / value:10.2f}x {value / floor:11.2f}x")
    peer = f"sd-jwt {version('sd-jwt')}"
    _table.peer_version("sd-jwt", version("sd-jwt"))
    api_us = medians["api.verify_presentation"]
    _table.add(
        "SD-JWT VC + KB-JWT (ES256, 10 disclosable, 3 disclosed)",
        "api.verify_presentation vs the reference verifier",
        api_us,
        "us",
        peer=peer,
        peer_value=reference,
        target=">= 2.5x faster",
        met=reference / api_us >= 2.5,
    )
    _table.add(
        "SD-JWT VC + KB-JWT (ES256, 10 disclosable, 3 disclosed)",
        "api.verify_presentation vs the floor (2 bare ES256 verifies)",
        api_us,
        "us",
        peer="cryptography",
        peer_value=floor,
        target="within 1.5x (>= 0.67x)",
        met=api_us / floor <= 1.5,
    )
    internal = medians["present.sdjwt.verify_presentation"]
    _table.add(
        "SD-JWT VC + KB-JWT (ES256, 10 disclosable, 3 disclosed)",
        "internal SD-JWT verifier vs the reference verifier",
        internal,
        "us",
        peer=peer,
        peer_value=reference,
    )


if __name__ == "__main__":
    main()
