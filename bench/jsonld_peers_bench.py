"""OB 3.0 Data Integrity against the JavaScript stack (issue 11): credentials signed fresh
by the Digital Bazaar stack (eddsa-rdfc-2022 and ecdsa-rdfc-2019, did:key issuers), then
parsed and fully verified by the wallet and verified by @digitalbazaar/vc under node
(timed inside node, process start excluded). Rounds interleave the two, so noise hits
both; medians per credential. Without npm or node only the wallet's side runs, on
credentials its demo issuers sign, and the table says the peer was skipped.

The wallet keeps per-document memos (the signed-form round trip, canonical proof options),
which a credential verified again hits; a row below verifies distinct credentials, each
once, so its figure is what a credential new to the wallet costs."""

from __future__ import annotations

import json
import statistics
import time

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from bench import _table, js_peer
from bench.verify_bench import ED, P256, _doc
from wallet import api
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.verify.context import VerifyContext

ROUNDS = 15
ITERATIONS = 20
SUITES = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019")
TARGET = 4.0  # the wallet at least 4x faster than the JS stack per credential
FRESH_ROUNDS = 5
FRESH_EACH = 8


def _wallet_ms(data: bytes, ctx: VerifyContext, iterations: int = ITERATIONS) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        report = api.verify_credential(api.parse_credential(data), ctx)
    elapsed = (time.perf_counter() - start) / iterations * 1000
    signature = report.check("signature")
    assert signature is not None and signature.status.value == "passed", report
    return elapsed


def _floor_ms(suite: str) -> float:
    """One bare signature check with cryptography: what no verifier can go below."""
    message = b"x" * 64
    if suite == "eddsa-rdfc-2022":
        key = ed25519.Ed25519PrivateKey.generate()
        signature = key.sign(message)
        public = key.public_key()

        def check() -> None:
            public.verify(signature, message)
    else:
        p256 = ec.generate_private_key(ec.SECP256R1())
        der = p256.sign(message, ec.ECDSA(ec.hashes.SHA256()))
        ec_public = p256.public_key()

        def check() -> None:
            ec_public.verify(der, message, ec.ECDSA(ec.hashes.SHA256()))

    start = time.perf_counter()
    for _ in range(2000):
        check()
    return (time.perf_counter() - start) / 2000 * 1000


def _fresh(issuer: DemoIssuer, suite: str, count: int) -> list[bytes]:
    """``count`` distinct credentials (own ids, subjects and proof dates), so no memo keyed
    on a document or its proof options ever hits: the cost of a credential seen first."""
    out = []
    for i in range(count):
        doc = ob3_credential(
            issuer,
            credential_id=f"fresh-{i}",
            subject_id=f"did:example:learner-{i}",
            subject_name=f"Learner {i}",
            achievement_name="Bench",
            description="d",
            criteria="c",
            valid_from=f"2026-05-01T00:{i // 60:02d}:{i % 60:02d}Z",
            skills=(("skill", "1973c966-f236-40c9-b2d4-5d71a89019be", ""),),
            credits=3.0,
            grade="A",
        )
        out.append(json.dumps(sign(doc, issuer, suite)).encode())
    return out


def _first_sight_ms(issuer: DemoIssuer, suite: str, ctx: VerifyContext) -> float:
    credentials = _fresh(issuer, suite, FRESH_ROUNDS * FRESH_EACH + 1)
    _wallet_ms(credentials[-1], ctx, iterations=1)  # warm: bundled contexts processed
    return statistics.median(
        statistics.mean(
            _wallet_ms(data, ctx, iterations=1)
            for data in credentials[r * FRESH_EACH : (r + 1) * FRESH_EACH]
        )
        for r in range(FRESH_ROUNDS)
    )


def _add_first_sight(suite: str, ctx: VerifyContext, js: float | None) -> None:
    issuer = ED if suite.startswith("eddsa") else P256
    fresh = _first_sight_ms(issuer, suite, ctx)
    print(f"OB 3.0 {suite}: wallet, each credential new (no per-document memo): {fresh:.2f} ms")
    _table.add(
        "JSON-LD Data Integrity",
        f"  same, each credential new to the wallet (wallet-signed, {FRESH_EACH} per round)",
        fresh,
        "ms",
        peer="@digitalbazaar/vc (node), repeated" if js is not None else "",
        peer_value=js,
    )


def _wallet_only() -> None:
    """No peer: the wallet's figure alone, on credentials the wallet's demo issuer signs."""
    ctx = VerifyContext()
    for suite, issuer in zip(SUITES, (ED, P256), strict=True):
        data = json.dumps(sign(_doc(issuer), issuer, suite)).encode()
        _wallet_ms(data, ctx)
        wallet = statistics.median(_wallet_ms(data, ctx) for _ in range(ROUNDS))
        _table.add(
            "JSON-LD Data Integrity",
            f"OB 3.0 {suite}, wallet-signed (no JS peer), parse + full verify",
            wallet,
            "ms",
        )
        _add_first_sight(suite, ctx, None)


def main() -> None:
    unsigned = _doc(ED)
    peer, why = js_peer.start(unsigned)
    if peer is None:
        print(f"JS peer not run: {why}")
        _table.skipped(f"JS peer (Digital Bazaar stack): {why}")
        _wallet_only()
        return
    try:
        for name in (
            "@digitalbazaar/vc",
            "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
            "@digitalbazaar/ecdsa-rdfc-2019-cryptosuite",
            "@digitalbazaar/data-integrity",
            "jsonld",
            "node",
        ):
            _table.peer_version(name, peer.versions.get(name, "unknown"))
        ctx = VerifyContext()
        for suite in SUITES:
            data = json.dumps(peer.signed[suite]).encode()
            ours: list[float] = []
            theirs: list[float] = []
            _wallet_ms(data, ctx)
            peer.verify_ms(suite, 3)
            for _ in range(ROUNDS):
                ours.append(_wallet_ms(data, ctx))
                theirs.append(peer.verify_ms(suite, ITERATIONS))
            wallet, js = statistics.median(ours), statistics.median(theirs)
            print(
                f"OB 3.0 {suite}: wallet {wallet:.2f} ms, @digitalbazaar/vc {js:.2f} ms, "
                f"JS / wallet {js / wallet:.2f}x"
            )
            _table.add(
                "JSON-LD Data Integrity",
                f"OB 3.0 {suite}, JS-signed, parse + full verify",
                wallet,
                "ms",
                peer=f"@digitalbazaar/vc {peer.versions.get('@digitalbazaar/vc')} (node)",
                peer_value=js,
                target=f">= {TARGET:g}x faster",
                met=js / wallet >= TARGET,
            )
            _add_first_sight(suite, ctx, js)
            floor = _floor_ms(suite)
            _table.add(
                "JSON-LD Data Integrity",
                f"  floor: one bare {'Ed25519' if suite.startswith('eddsa') else 'P-256'} verify",
                floor,
                "ms",
            )
    finally:
        peer.close()


if __name__ == "__main__":
    main()
