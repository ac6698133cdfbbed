"""Per-credential verification time for each format and suite, side by side in one run
(after a warm-up, so bundled contexts are already parsed), plus presentation sizes."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from bench import _table
from wallet import engine
from wallet.formats import registry
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.model import Credential
from wallet.present import envelope, qr
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.context import VerifyContext

ROOT = Path(__file__).resolve().parents[1]
ED = DemoIssuer.ed25519("Bench College", "https://bench.example", "bench-ed")
P256 = DemoIssuer.p256("Bench Employer", "https://bench2.example", "bench-p256")


def _median_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _doc(issuer: DemoIssuer) -> dict[str, object]:
    return ob3_credential(
        issuer,
        credential_id="b",
        subject_id="did:example:x",
        subject_name="X",
        achievement_name="Bench",
        description="d",
        criteria="c",
        skills=(("skill", "1973c966-f236-40c9-b2d4-5d71a89019be", ""),),
        credits=3.0,
        grade="A",
    )


def samples() -> dict[str, bytes]:
    holder = ec.generate_private_key(ec.SECP256R1())
    out = {
        "OB 3.0 eddsa-rdfc-2022": json.dumps(sign(_doc(ED), ED)).encode(),
        "OB 3.0 eddsa-jcs-2022": json.dumps(sign(_doc(ED), ED, "eddsa-jcs-2022")).encode(),
        "OB 3.0 ecdsa-rdfc-2019 P-256": json.dumps(sign(_doc(P256), P256)).encode(),
        "OB 3.0 Ed25519Signature2020": json.dumps(
            sign(_doc(ED), ED, "Ed25519Signature2020")
        ).encode(),
        "VC-JWT ES256": jws.sign_compact(
            {"iss": P256.did, "vc": _doc(P256)}, P256.key, headers={"kid": P256.verification_method}
        ).encode(),
        "VC-JWT EdDSA": jws.sign_compact(
            {"iss": ED.did, "vc": _doc(ED)}, ED.key, headers={"kid": ED.verification_method}
        ).encode(),
        "SD-JWT VC ES256 (10 disclosures)": present_sd.issue(
            {f"claim_{i}": f"value {i}" for i in range(10)},
            [f"claim_{i}" for i in range(10)],
            P256.key,
            iss=P256.did,
            kid=P256.verification_method,
            holder_jwk=jws.keys.jwk_from_public_key(holder.public_key()),
        ).encode(),
    }
    dcc = (
        ROOT
        / "tests/vectors/dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey"
    )
    both = dcc / "legacy-noStatus-noExpiry.json"
    if both.exists():
        out["DCC proof set (eddsa-rdfc-2022 + Ed25519Signature2020)"] = both.read_bytes()
    heart = ROOT / "wallet/issuer/data/ob2-baked-heart.png"
    out["OB 2.0 baked PNG (parse; hosted: not checked)"] = heart.read_bytes()
    return out


def main() -> None:
    ctx = VerifyContext()
    print(f"{'credential':58} {'parse ms':>9} {'verify ms':>10}")
    for name, data in samples().items():
        credential: Credential = registry.parse(data)
        parse_ms = _median_ms(lambda d=data: registry.parse(d))
        verify_ms = _median_ms(lambda c=credential: engine.verify_credential(c, ctx))
        print(f"{name:58} {parse_ms:9.2f} {verify_ms:10.2f}")
        _table.add(
            "per format (wallet only)", f"{name}: parse + verify", parse_ms + verify_ms, "ms"
        )

    issuer = ec.generate_private_key(ec.SECP256R1())
    holder = ec.generate_private_key(ec.SECP256R1())
    claims = {f"claim_{i}": f"value of claim {i}" for i in range(10)}
    text = present_sd.issue(
        claims,
        list(claims),
        issuer,
        iss="https://college.example",
        holder_jwk=jws.keys.jwk_from_public_key(holder.public_key()),
    )
    shown = present_sd.present(
        text, ["claim_1", "claim_4", "claim_7"], holder, audience="Acme Hiring", nonce="K7QF-2M9X"
    )
    file = envelope.build_envelope(
        [envelope.Part("sd-jwt", shown)],
        audience="Acme Hiring",
        nonce="K7QF-2M9X",
        created="2026-11-23T10:00:00Z",
    )
    codes = qr.encode(file)
    print(
        "typical presentation (1 SD-JWT VC, 10 disclosable claims, 3 disclosed, KB-JWT): "
        f"SD-JWT {len(shown)} chars, file {len(file)} bytes, "
        f"LW1 {sum(len(c) for c in codes)} chars "
        f"in {len(codes)} QR code(s) of versions {[qr.qr_version(c) for c in codes]} (ECC M)"
    )


if __name__ == "__main__":
    main()
