"""`wallet demo`: a wallet of sample credentials, kept apart from the learner's own."""

from __future__ import annotations

import json
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from wallet.api import Wallet
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.paths import demo_wallet_path
from wallet.present import sdjwt as present_sd
from wallet.store import Store
from wallet.verify import jws

DEMO_PASSPHRASE = "demo-wallet-passphrase"
COLLEGE = DemoIssuer.ed25519(
    "Demo College of Applied Arts and Technology", "https://college.demo", "college"
)
EMPLOYER = DemoIssuer.p256("Demo Logistics Inc.", "https://employer.demo", "employer")
BOOTCAMP = DemoIssuer.p256("Demo Code Bootcamp", "https://bootcamp.demo", "bootcamp")
SPREADSHEETS = ("use spreadsheets software", "1973c966-f236-40c9-b2d4-5d71a89019be", "")
ANALYSE = ("analyse big data", "b8cf4a5c-3ec5-4d04-9c4b-d1c4dc1b5d3f", "")


def sample_credentials(holder_did: str, holder_jwk: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(source label, bytes) of each demo credential, signed now with the demo keys."""
    micro = sign(
        ob3_credential(
            COLLEGE,
            credential_id="data-analysis-101",
            subject_id=holder_did,
            subject_name="Alex Learner",
            achievement_name="Data Analysis Fundamentals",
            description="Cleans, analyses and presents tabular data for business decisions.",
            criteria="Passed a proctored practical exam and a rubric-assessed capstone project.",
            skills=(SPREADSHEETS, ANALYSE),
            evidence=(("Capstone project", "Analysed three years of regional transit ridership."),),
            credits=3.0,
            grade="A-",
            endorser=EMPLOYER,
            field_of_study="Data Science",
        ),
        COLLEGE,
    )
    expired = sign(
        ob3_credential(
            EMPLOYER,
            credential_id="first-aid-2023",
            subject_id=holder_did,
            subject_name="Alex Learner",
            achievement_name="Workplace First Aid and CPR",
            description="Standard first aid with CPR level C.",
            criteria="Completed a two-day course and a practical assessment.",
            valid_from="2023-03-01T00:00:00Z",
            valid_until="2025-03-01T00:00:00Z",
        ),
        EMPLOYER,
    )
    bootcamp_doc = ob3_credential(
        BOOTCAMP,
        credential_id="python-2026",
        subject_id=holder_did,
        subject_name="Alex Learner",
        achievement_name="Python for Automation",
        description="Twelve weeks of Python scripting for operations work.",
        criteria="Built and defended three automation projects.",
    )
    # VC 2.0 over JOSE (VC-JOSE-COSE): the credential is the payload; the `vc` claim is
    # VC 1.1 only and peers refuse a 2.0 document inside it.
    vc_jwt = jws.sign_compact(
        {**bootcamp_doc, "iss": BOOTCAMP.did},
        BOOTCAMP.key,
        headers={"kid": BOOTCAMP.verification_method, "typ": "vc+jwt", "cty": "vc"},
    )
    sd = present_sd.issue(
        {
            "vct": "https://college.demo/credentials/transcript-entry",
            "name": "Supply Chain Analytics (micro-credential)",
            "issuer_name": COLLEGE.name,
            "given_name": "Alex",
            "family_name": "Learner",
            "birthdate": "1994-06-12",
            "student_number": "DC-2026-88412",
            "course_code": "SCA-210",
            "grade": "B+",
            "credits": 2,
            "skills": ["forecast demand", "optimise inventory", "use spreadsheets software"],
            "term": "Fall 2026",
        },
        [
            "given_name",
            "family_name",
            "birthdate",
            "student_number",
            "course_code",
            "grade",
            "credits",
            "skills.0",
            "skills.1",
            "skills.2",
            "term",
        ],
        COLLEGE.key,
        iss=COLLEGE.did,
        kid=COLLEGE.verification_method,
        holder_jwk=holder_jwk,
        decoys=2,
    )
    heart = resources.files("wallet.issuer").joinpath("data/ob2-baked-heart.png").read_bytes()
    return [
        ("demo: Open Badges 3.0, eddsa-rdfc-2022", json.dumps(micro, indent=2).encode()),
        ("demo: SD-JWT VC", sd.encode()),
        ("demo: VC-JOSE vc+jwt (untrusted issuer)", vc_jwt.encode()),
        ("demo: Open Badges 3.0, expired", json.dumps(expired, indent=2).encode()),
        ("demo: Open Badges 2.0 baked PNG (hosted)", heart),
    ]


def run_demo() -> dict[str, Any]:
    path = demo_wallet_path()
    if Store.exists(path):
        wallet = Wallet.open(path, DEMO_PASSPHRASE)
        created = False
    else:
        wallet, _ = Wallet.create(path, DEMO_PASSPHRASE)
        created = True
    try:
        if not wallet.list():
            wallet.trust_add(COLLEGE.did, COLLEGE.name)
            key = wallet.holder_key("EdDSA")
            for source, data in sample_credentials(key.did, key.public_jwk):
                wallet.import_bytes(data, source=source)
        return {
            "wallet": str(path),
            "passphrase": DEMO_PASSPHRASE,
            "created": created,
            "credentials": [c.summary() for c in wallet.list()],
        }
    finally:
        wallet.close()


def describe(summary: dict[str, Any]) -> str:
    lines = [
        f"Demo wallet: {summary['wallet']}",
        f"Passphrase:  {summary['passphrase']}   (a demo wallet; your real wallet is separate)",
        "",
    ]
    for c in summary["credentials"]:
        lines.append(
            f"{c['id'][:8]}  {c['verdict']:22} {c['title']}  ({c['issuer'] or 'unknown issuer'})"
        )
    w = command_name()
    lines += [
        "",
        "Try:",
        f"  export WALLET_HOME='{summary['wallet']}' WALLET_PASSPHRASE='{summary['passphrase']}'",
        f"  {w} show <id>            # the credential, by micro-credential component",
        f"  {w} challenge            # as the interviewer",
        f"  {w} present <id> --disclose grade --audience Acme --nonce <nonce> \\",
        "                 --out p.json --qr p.png",
        f"  {w} verify-presentation p.json --audience Acme --nonce <nonce>",
    ]
    venv = Path(w).parent.parent
    if w != "wallet" and (venv / "pyvenv.cfg").is_file():
        lines.append(f"  (or 'source {venv}/bin/activate' first, then plain 'wallet')")
    return "\n".join(lines)


def command_name() -> str:
    """How to call this wallet again: 'wallet' when that is the one on PATH, else the path
    it was started by (after `make run`, .venv/bin/wallet, which is not on PATH)."""
    started = Path(sys.argv[0])
    if started.name == "__main__.py":
        return "python3 -m wallet"
    found = shutil.which("wallet")
    if found and started.is_file() and Path(found).resolve() == started.resolve():
        return "wallet"
    return str(started) if started.is_file() else "wallet"
