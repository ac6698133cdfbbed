# ruff: noqa: F811  (pytest fixtures imported from tests.present.conftest are parameters here)
"""Issue 7, classes 1 and 5 (VP half): no presented item is valid unless its presenter's
proof passed; a credential whose subject names no key is `unbound`; VP expiry counts.

Each attack has its honest control beside it, through wallet.api and the CLI.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.present.conftest import Demo, demo_wallet, verifier  # noqa: F401 (fixtures)
from wallet.api import Wallet, verify_presentation
from wallet.cli import cli
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.model import HOLDER_BINDING, SUBJECT_BINDING, CheckStatus, Verdict
from wallet.present import envelope as env_mod
from wallet.verify import jws

AUD, NONCE = "Acme Hiring", "K7QF-2M9X"


def _statuses(item: dict[str, Any], name: str) -> list[str]:
    return [c["status"] for c in item["checks"] if c["name"] == name]


def _ldp_vp(demo: Demo, proof: dict[str, Any]) -> bytes:
    """A VP naming the demo holder, carrying her genuine OB 3.0 credential, and ``proof``."""
    key = demo.wallet.holder_key("EdDSA")
    credential = json.loads(demo.wallet.get(demo.ids["ob3"]).credential.raw)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.did,
        "verifiableCredential": [credential],
        "proof": proof,
    }
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return env_mod.build_envelope(
        [env_mod.Part("vp-ldp", doc)], audience=AUD, nonce=NONCE, created=now
    )


def _forged_proof(demo: Demo, **kind: str) -> dict[str, Any]:
    key = demo.wallet.holder_key("EdDSA")
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        **kind,
        "verificationMethod": f"{key.did}#{key.did[len('did:key:') :]}",
        "proofPurpose": "authentication",
        "challenge": NONCE,
        "domain": AUD,
        "created": now,
        "proofValue": "z" + "3" * 86,
    }


@pytest.mark.parametrize(
    "kind",
    [
        {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
        {"type": "FancyProof2099"},
    ],
    ids=["bbs-2023", "unknown-type"],
)
def test_vp_proof_nobody_checked_is_not_valid(
    demo_wallet: Demo, verifier: Wallet, kind: dict[str, str]
) -> None:
    data = _ldp_vp(demo_wallet, _forged_proof(demo_wallet, **kind))
    result = verify_presentation(data, verifier.verify_context(), audience=AUD, nonce=NONCE)
    (item,) = result.to_dict()["credentials"]
    assert _statuses(item, HOLDER_BINDING) == ["not_checked"]
    assert item["verdict"] == "unverifiable"  # before: valid
    assert result.verdict is Verdict.UNVERIFIABLE


def test_honest_vp_control_is_valid(demo_wallet: Demo, verifier: Wallet) -> None:
    built = demo_wallet.wallet.present([demo_wallet.ids["ob3"]], [], audience=AUD, nonce=NONCE)
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    (item,) = result.to_dict()["credentials"]
    assert _statuses(item, HOLDER_BINDING) == ["passed"]
    assert _statuses(item, SUBJECT_BINDING) == ["passed"]
    assert result.verdict is Verdict.VALID


def test_vp_jwt_from_uncached_did_web_with_junk_signature(
    demo_wallet: Demo, verifier: Wallet
) -> None:
    """The holder's did:web document is not cached, so its junk signature cannot be
    checked: the item is unverifiable, never valid."""
    holder = "did:web:holder.example"
    college_key = COLLEGE.key
    credential = jws.sign_compact(
        {
            "iss": COLLEGE.did,
            "sub": holder,
            "nbf": 1700000000,
            "vc": {
                "@context": ["https://www.w3.org/2018/credentials/v1"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": holder, "name": "Alice"},
            },
        },
        college_key,
        headers={"typ": "JWT", "kid": f"{COLLEGE.did}#{COLLEGE.did[len('did:key:') :]}"},
    )
    mallory = ed25519.Ed25519PrivateKey.generate()
    now = int(datetime.now(UTC).timestamp())
    token = jws.sign_compact(
        {
            "iss": holder,
            "aud": AUD,
            "nonce": NONCE,
            "iat": now,
            "vp": {
                "@context": ["https://www.w3.org/2018/credentials/v1"],
                "type": ["VerifiablePresentation"],
                "holder": holder,
                "verifiableCredential": [credential],
            },
        },
        mallory,
        headers={"typ": "JWT", "kid": f"{holder}#key-1"},
    )
    data = env_mod.build_envelope(
        [env_mod.Part("vp-jwt", token)], audience=AUD, nonce=NONCE, created="2026-01-01T00:00:00Z"
    )
    result = verify_presentation(data, verifier.verify_context(), audience=AUD, nonce=NONCE)
    (item,) = result.to_dict()["credentials"]
    assert _statuses(item, HOLDER_BINDING) == ["not_checked"]
    assert item["verdict"] == "unverifiable"  # before: valid


def _keyless_id(demo: Demo) -> str:
    """A genuine OB 3.0 credential whose subject names no key (like most Open Badges)."""
    doc = ob3_credential(
        COLLEGE,
        credential_id="keyless-1",
        subject_id="urn:uuid:7f0c8d1e-2b4a-4c55-9d1e-0a1b2c3d4e5f",
        subject_name="Alex Learner",
        achievement_name="Workplace Safety",
        description="Safe lifting and hazard reporting.",
        criteria="Passed the practical assessment.",
    )
    doc["credentialSubject"].pop("id")
    return demo.wallet.import_bytes(json.dumps(sign(doc, COLLEGE)).encode(), source="test").id


def test_credential_naming_no_key_is_unbound(demo_wallet: Demo, verifier: Wallet) -> None:
    """Nothing ties a credential that names no subject key to the person presenting it."""
    keyless = _keyless_id(demo_wallet)
    built = demo_wallet.wallet.present([keyless], [], audience=AUD, nonce=NONCE)
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    (item,) = result.to_dict()["credentials"]
    assert _statuses(item, HOLDER_BINDING) == ["passed"]
    assert _statuses(item, SUBJECT_BINDING) == ["not_checked"]
    assert item["verdict"] == "unbound"  # before: valid
    assert result.verdict is Verdict.UNBOUND


def test_one_unbound_credential_does_not_taint_a_bound_one(
    demo_wallet: Demo, verifier: Wallet
) -> None:
    ids = demo_wallet.ids
    keyless = _keyless_id(demo_wallet)
    built = demo_wallet.wallet.present([ids["ob3"], keyless], [], audience=AUD, nonce=NONCE)
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    verdicts = sorted(i["verdict"] for i in result.to_dict()["credentials"])
    assert verdicts == ["unbound", "valid"]
    assert result.verdict is Verdict.UNBOUND


@pytest.mark.parametrize("label", ["ob3", "sdjwt"])  # VP proof expires; KB-JWT exp
@pytest.mark.parametrize(("after_s", "verdict"), [(1, "valid"), (7, "invalid")])
def test_presentation_expiry(
    demo_wallet: Demo, verifier: Wallet, label: str, after_s: int, verdict: str
) -> None:
    """`present --expires 3s` checked 7 s later was valid (a 60 s skew hid the expiry)."""
    paths = ["grade"] if label == "sdjwt" else []
    built = demo_wallet.wallet.present(
        [demo_wallet.ids[label]], paths, audience=AUD, nonce=NONCE, expires_in=3
    )
    made = datetime.fromisoformat(json.loads(built.envelope)["created"])
    ctx = verifier.verify_context(now=made + timedelta(seconds=after_s))
    result = verify_presentation(built.envelope, ctx, audience=AUD, nonce=NONCE)
    (item,) = result.to_dict()["credentials"]
    assert item["verdict"] == verdict
    assert _statuses(item, "freshness") == ["passed" if verdict == "valid" else "failed"]


def test_vp_proof_with_unreadable_expires_fails(demo_wallet: Demo, verifier: Wallet) -> None:
    from wallet.present import vp

    key = demo_wallet.wallet.holder_key("EdDSA")
    assert isinstance(key.private_key, ed25519.Ed25519PrivateKey)
    credential = json.loads(demo_wallet.wallet.get(demo_wallet.ids["ob3"]).credential.raw)
    now = datetime.now(UTC).replace(microsecond=0)
    doc = vp.make_vp_ldp(
        [credential],
        key.private_key,
        key.did,
        f"{key.did}#{key.did[len('did:key:') :]}",
        challenge=NONCE,
        domain=AUD,
        created=now.isoformat().replace("+00:00", "Z"),
        expires="next week",
    )
    _, checks = vp.verify_vp_ldp(doc, verifier.verify_context(), audience=AUD, nonce=NONCE)
    assert any(c.name == "freshness" and c.status is CheckStatus.FAILED for c in checks)


# -- through the CLI -----------------------------------------------------------------------


def _cli(wallet_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["--wallet", str(wallet_dir), *args],
        env={"WALLET_PASSPHRASE": "verifier passphrase cli"},
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout


@pytest.fixture
def cli_verifier(tmp_path: Path) -> Path:
    where = tmp_path / "cli-verifier"
    assert _cli(where, "--json", "init", "--weak-kdf")[0] == 0
    assert _cli(where, "trust", "add", COLLEGE.did, "--name", COLLEGE.name)[0] == 0
    return where


def _verify_file(where: Path, data: bytes, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "presentation.json"
    path.write_bytes(data)
    code, out = _cli(
        where, "--json", "verify-presentation", str(path), "--audience", AUD, "--nonce", NONCE
    )
    return code, json.loads(out)


def test_cli_forged_vp_exits_1(demo_wallet: Demo, cli_verifier: Path, tmp_path: Path) -> None:
    data = _ldp_vp(
        demo_wallet, _forged_proof(demo_wallet, type="DataIntegrityProof", cryptosuite="bbs-2023")
    )
    code, out = _verify_file(cli_verifier, data, tmp_path)
    assert (code, out["verdict"]) == (1, "unverifiable")


def test_cli_unbound_exits_1_and_says_so(
    demo_wallet: Demo, cli_verifier: Path, tmp_path: Path
) -> None:
    built = demo_wallet.wallet.present([_keyless_id(demo_wallet)], [], audience=AUD, nonce=NONCE)
    code, out = _verify_file(cli_verifier, built.envelope, tmp_path)
    assert (code, out["verdict"]) == (1, "unbound")


def test_cli_honest_control_exits_0(demo_wallet: Demo, cli_verifier: Path, tmp_path: Path) -> None:
    built = demo_wallet.wallet.present([demo_wallet.ids["ob3"]], [], audience=AUD, nonce=NONCE)
    code, out = _verify_file(cli_verifier, built.envelope, tmp_path)
    assert (code, out["verdict"]) == (0, "valid")


@pytest.mark.parametrize(
    ("nbf_offset", "status"), [(None, "passed"), (0, "passed"), (600, "failed"), ("soon", "failed")]
)
def test_kb_jwt_not_before(nbf_offset: int | str | None, status: str) -> None:
    """A KB-JWT nbf in the future, or not a number, was ignored."""
    from wallet.present.sdjwt import binding_claim_checks
    from wallet.verify.context import VerifyContext

    now = datetime(2026, 12, 1, tzinfo=UTC)
    claims: dict[str, Any] = {"nonce": NONCE, "aud": AUD, "iat": int(now.timestamp())}
    if nbf_offset is not None:
        claims["nbf"] = (
            nbf_offset if isinstance(nbf_offset, str) else int(now.timestamp()) + nbf_offset
        )
    checks = binding_claim_checks(
        claims, VerifyContext(now=now), audience=AUD, nonce=NONCE, max_age_s=300
    )
    assert [c.status.value for c in checks if c.name == "freshness"] == [status]
