"""Against peers, side by side (issue 11): a VC-JWT verified by the wallet (parse and
every check) against joserfc decoding and verifying the same token; and a typical
presentation as QR codes, end to end: encode to PNG, read back with zxing-cpp, rebuild and
verify. Interleaved rounds, medians; rows of the bench table (bench/_table.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey

from bench import _table
from bench.sdjwt_bench import AUD, NONCE
from bench.sdjwt_bench import build as build_presentation
from wallet import api
from wallet.issuer.demo import BOOTCAMP
from wallet.issuer.samples import ob3_credential
from wallet.present import qr
from wallet.present.envelope import Part, build_envelope
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

ROUNDS = 20


def _vc_jwt() -> tuple[str, dict[str, Any]]:
    doc = ob3_credential(
        BOOTCAMP,
        credential_id="peer",
        subject_id="did:example:alex",
        subject_name="Alex",
        achievement_name="Python",
        description="d",
        criteria="c",
    )
    token = jws.sign_compact(
        {**doc, "iss": BOOTCAMP.did},
        BOOTCAMP.key,
        headers={"kid": BOOTCAMP.verification_method, "typ": "vc+jwt"},
    )
    return token, keys.jwk_from_public_key(BOOTCAMP.key.public_key())


def _median_ms(fn: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        fn()
    return (time.perf_counter() - start) / iterations * 1000


def _race(contenders: dict[str, Callable[[], object]], iterations: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()
    for _ in range(ROUNDS):
        for name, fn in contenders.items():
            samples[name].append(_median_ms(fn, iterations))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    token, jwk = _vc_jwt()
    ctx = VerifyContext()
    key = ECKey.import_key(jwk)

    def ours() -> object:
        report = api.verify_credential(api.parse_credential(token.encode()), ctx)
        assert report.check("signature") is not None
        return report

    def joserfc_decode() -> object:
        return jwt.decode(token, key, algorithms=["ES256"])

    vc = _race({"wallet parse + verify": ours, "joserfc jwt.decode": joserfc_decode}, 200)

    text, _, sd_ctx = build_presentation()
    envelope = build_envelope(
        [Part("sd-jwt", text)], audience=AUD, nonce=NONCE, created="2026-12-03T08:00:00Z"
    )

    def qr_round_trip() -> object:
        qr.symbol.cache_clear()  # each presentation is new: build its codes every time
        images = [qr.to_png(code) for code in qr.encode(envelope)]
        rebuilt = qr.decode(qr.read_qr_images(images))
        result = api.verify_presentation(rebuilt, sd_ctx, audience=AUD, nonce=NONCE)
        assert result.verdict.value.startswith("valid"), result.to_dict()
        return result

    codes = qr.encode(envelope)
    trip = _race({"QR encode to PNG, decode, verify": qr_round_trip}, 3)
    qr_ms = trip["QR encode to PNG, decode, verify"]
    wallet_us, peer_us = vc["wallet parse + verify"] * 1000, vc["joserfc jwt.decode"] * 1000
    ratio = wallet_us / peer_us
    print(f"VC-JWT ES256 (VC-JOSE), joserfc {version('joserfc')}:")
    for name, ms in vc.items():
        print(f"  {name:34} {ms * 1000:8.1f} us")
    print(
        f"  wallet / joserfc: {ratio:.2f}x (the wallet also checks issuer key ownership, "
        "validity, status and trust)"
    )
    print(f"QR end to end ({len(codes)} code(s), zxing-cpp {version('zxing-cpp')}): {qr_ms:.1f} ms")
    _table.peer_version("joserfc", version("joserfc"))
    _table.peer_version("zxing-cpp", version("zxing-cpp"))
    _table.add(
        "VC-JWT",
        "ES256 VC-JOSE: wallet parse + full verify vs jwt.decode",
        wallet_us,
        "us",
        peer=f"joserfc {version('joserfc')}",
        peer_value=peer_us,
        target="within 1.2x (>= 0.83x)",
        met=ratio <= 1.2,
    )
    _table.add(
        "QR",
        f"presentation -> PNG -> zxing-cpp -> verify ({len(codes)} codes)",
        qr_ms,
        "ms",
        target="< 50 ms",
        met=qr_ms < 50,
    )


if __name__ == "__main__":
    main()
