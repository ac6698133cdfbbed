"""Writes packaging/samples/: credential files the smoke test imports into a fresh wallet.

They are our own content, signed with the demo issuers' keys (wallet.issuer.demo: fixed
seeds, published, never to be trusted outside the demo), issued to a made-up learner. Run
from the repo with the project's venv: .venv/bin/python packaging/make-samples.py
The smoke test runs against a binary too, which cannot run Python, hence files on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

from wallet.issuer.demo import BOOTCAMP, COLLEGE, EMPLOYER
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.verify import jws

OUT = Path(__file__).resolve().parent / "samples"
LEARNER = DemoIssuer.ed25519("Sam Sample", "https://learner.demo", "smoke-test learner")


def main() -> None:
    college = sign(
        ob3_credential(
            COLLEGE,
            credential_id="smoke-test-welding-101",
            subject_id=LEARNER.did,
            subject_name="Sam Sample",
            achievement_name="Sample Certificate: Safe Workshop Practice",
            description="A sample credential for the packaging smoke test.",
            criteria="Completed the sample workshop safety module.",
            skills=(("use spreadsheets software", "1973c966-f236-40c9-b2d4-5d71a89019be", ""),),
            credits=1.0,
            grade="Pass",
        ),
        COLLEGE,
    )
    employer = sign(
        ob3_credential(
            EMPLOYER,
            credential_id="smoke-test-forklift",
            subject_id=LEARNER.did,
            subject_name="Sam Sample",
            achievement_name="Sample Badge: Forklift Orientation",
            description="A sample badge signed with ecdsa-rdfc-2019 (P-256).",
            criteria="Attended the sample orientation.",
        ),
        EMPLOYER,
    )
    bootcamp = ob3_credential(
        BOOTCAMP,
        credential_id="smoke-test-shell",
        subject_id=LEARNER.did,
        subject_name="Sam Sample",
        achievement_name="Sample Badge: Shell Scripting",
        description="A sample VC 2.0 credential over JOSE (vc+jwt, ES256).",
        criteria="Wrote one sample script.",
    )
    jwt = jws.sign_compact(
        {**bootcamp, "iss": BOOTCAMP.did},
        BOOTCAMP.key,
        headers={"kid": BOOTCAMP.verification_method, "typ": "vc+jwt", "cty": "vc"},
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "ob3-eddsa-rdfc-2022.json").write_text(json.dumps(college, indent=2) + "\n")
    (OUT / "ob3-ecdsa-rdfc-2019.json").write_text(json.dumps(employer, indent=2) + "\n")
    (OUT / "vc-jose.jwt").write_text(jwt + "\n")
    issuers = [{"id": COLLEGE.did, "name": COLLEGE.name}]
    trust = {"version": 1, "name": "Smoke test", "issuers": issuers}
    (OUT / "trust.json").write_text(json.dumps(trust, indent=2) + "\n")


if __name__ == "__main__":
    main()
