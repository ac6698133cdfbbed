"""Issue 7, class 2: a signature passes only when its key is proven to be the named
issuer's (DID document, cached profile at the issuer's id, its origin's metadata)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from wallet.api import parse_credential, verify_credential
from wallet.cli import cli
from wallet.issuer.samples import DemoIssuer, ob3_credential, sign
from wallet.model import SIGNATURE, CheckStatus, Verdict
from wallet.verify.context import CachedDocument, MemoryCache, TrustEntry, TrustList, VerifyContext

ISSUER = "https://college.example/issuer"
SIGNER = DemoIssuer.ed25519("Attacker", "https://evil.example", "attacker")
REAL = DemoIssuer.ed25519("Real", "https://college.example", "real-college")
ENDORSER = DemoIssuer.p256("Employer", "https://employer.example", "employer-x")


def _doc(
    key: DemoIssuer, endorser: DemoIssuer | None = None, https_endorser: bool = False
) -> bytes:
    doc = ob3_credential(
        key,
        credential_id="c1",
        subject_id="did:example:alice",
        subject_name="Alice",
        achievement_name="Nursing licence",
        description="d",
        criteria="c",
        endorser=endorser,
    )
    doc["issuer"] = {"id": ISSUER, "type": ["Profile"], "name": "Trusted College"}
    if endorser is not None and https_endorser:
        endorsement = {k: v for k, v in doc["endorsement"][0].items() if k != "proof"}
        endorsement["issuer"] = {"id": "https://employer.example", "type": ["Profile"]}
        doc["endorsement"] = [sign(endorsement, endorser)]
    return json.dumps(sign(doc, key)).encode()


def _profile() -> bytes:
    return json.dumps(
        {
            "id": ISSUER,
            "type": ["Profile"],
            "name": "Trusted College",
            "assertionMethod": [REAL.verification_method],
        }
    ).encode()


def _ctx(docs: dict[str, bytes]) -> VerifyContext:
    now = datetime.now(UTC)
    return VerifyContext(
        cache=MemoryCache({u: CachedDocument(u, d, now) for u, d in docs.items()}),
        trust=TrustList((TrustEntry(ISSUER, "Trusted College"),)),
        now=now,
    )


def test_https_issuer_signed_by_unrelated_did_key_is_unverifiable() -> None:
    for docs in ({}, {ISSUER: _profile()}):
        report = verify_credential(parse_credential(_doc(SIGNER)), _ctx(docs))
        assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
        assert ISSUER in report.check(SIGNATURE).detail
        assert report.verdict is Verdict.UNVERIFIABLE


def test_key_listed_in_cached_profile_is_valid() -> None:
    report = verify_credential(parse_credential(_doc(REAL)), _ctx({ISSUER: _profile()}))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
    assert report.verdict is Verdict.VALID


def test_endorsement_needs_the_endorsers_key() -> None:
    # The endorsement names an https endorser but is signed by its did:key: not proven.
    data = _doc(REAL, ENDORSER, https_endorser=True)
    report = verify_credential(parse_credential(data), _ctx({ISSUER: _profile()}))
    endorsement = report.check("endorsement")
    assert endorsement is not None and endorsement.status is CheckStatus.WARNING
    assert "not verified" in endorsement.detail


def test_endorsement_by_did_endorser_verified_control() -> None:
    report = verify_credential(parse_credential(_doc(REAL, ENDORSER)), _ctx({ISSUER: _profile()}))
    endorsement = report.check("endorsement")
    assert endorsement is not None and endorsement.status is CheckStatus.PASSED
    assert report.verdict is Verdict.VALID


def test_cli_https_issuer_attack_and_control(tmp_path: Path) -> None:
    runner = CliRunner()
    wallet = str(tmp_path / "w")
    env = {"WALLET_PASSPHRASE": "correct horse battery staple"}

    def run(*args: str):
        return runner.invoke(cli, ["--wallet", wallet, *args], env=env, catch_exceptions=False)

    assert run("--json", "init", "--weak-kdf").exit_code == 0
    (tmp_path / "profile").write_bytes(_profile())
    (tmp_path / "forged").write_bytes(_doc(SIGNER))
    (tmp_path / "honest").write_bytes(_doc(REAL))
    assert run("cache", "add", ISSUER, str(tmp_path / "profile")).exit_code == 0
    assert run("trust", "add", ISSUER).exit_code == 0
    forged = run("--json", "verify", str(tmp_path / "forged"))
    assert forged.exit_code == 1 and json.loads(forged.stdout)["verdict"] == "unverifiable"
    honest = run("--json", "verify", str(tmp_path / "honest"))
    assert json.loads(honest.stdout)["verdict"] == "valid", honest.stdout
    assert honest.exit_code == 0


def _ob2(creator: str, signer_pem: bytes) -> bytes:
    from joserfc import jws as jose_jws
    from joserfc.jwk import RSAKey

    badge = {"type": "BadgeClass", "id": "urn:b", "name": "B", "issuer": VICTIM}
    doc = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "urn:uuid:a1",
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "badge": badge,
        "issuedOn": "2026-01-15T10:00:00Z",
        "verification": {"type": "SignedBadge", "creator": creator},
    }
    key = RSAKey.import_key(signer_pem)
    return jose_jws.serialize_compact({"alg": "RS256"}, json.dumps(doc).encode(), key).encode()


VICTIM = "https://victim.example/issuer.json"


def test_ob2_uncached_issuer_with_another_issuers_key_is_not_passed() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    evil_key = "https://other-issuer.example/key.json"
    key_doc = {"id": evil_key, "type": "CryptographicKey", "publicKeyPem": public.decode()}
    report = verify_credential(
        parse_credential(_ob2(evil_key, pem)), _ctx({evil_key: json.dumps(key_doc).encode()})
    )
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    assert VICTIM in report.check(SIGNATURE).detail
    assert report.verdict is Verdict.UNVERIFIABLE
    # Control: the key lives on the issuer's own host and names it as owner.
    own_key = "https://victim.example/key.json"
    own_doc = dict(key_doc, id=own_key, owner=VICTIM)
    report = verify_credential(
        parse_credential(_ob2(own_key, pem)), _ctx({own_key: json.dumps(own_doc).encode()})
    )
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
