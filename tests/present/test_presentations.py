"""Whole presentations through the wallet API: building, verifying, and each bad input."""

from __future__ import annotations

import base64
import gzip
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.present.conftest import Demo
from wallet.api import Wallet, verify_presentation
from wallet.errors import UsageError
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.model import CheckStatus, Verdict
from wallet.present import envelope as env_mod
from wallet.present import vp
from wallet.verify.context import VerifyContext

AUD, NONCE = "Acme Hiring", "K7QF-2M9X"


def check(item: Any, name: str) -> CheckStatus:
    statuses = [c["status"] for c in item["checks"] if c["name"] == name]
    assert statuses, f"no {name} check"
    return CheckStatus.FAILED if "failed" in statuses else CheckStatus(statuses[0])


def test_mixed_presentation_verifies(demo_wallet: Demo, verifier: Wallet) -> None:
    ids = demo_wallet.ids
    built = demo_wallet.wallet.present(
        [ids["sdjwt"], ids["ob3"], ids["vcjwt"]], ["grade", "skills.1"], audience=AUD, nonce=NONCE
    )
    assert any("whole credential" in n for n in built.notes)
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    by_title = {i["title"]: i for i in result.to_dict()["credentials"]}
    sd = by_title["Supply Chain Analytics (micro-credential)"]
    assert sd["verdict"] == "valid" and not sd["whole_credential"]
    assert sd["claims"]["grade"] == "B+" and sd["claims"]["skills"] == ["optimise inventory"]
    # Paths as the verifier sees them: the one skill shown is the first of its array.
    assert sorted(sd["disclosed"]) == ["/grade", "/skills/0"]
    assert by_title["Data Analysis Fundamentals"]["verdict"] == "valid"
    # Genuine but from an issuer the interviewer has not said they trust: not "invalid".
    boot = by_title["Python for Automation"]
    assert boot["verdict"] == "valid_untrusted_issuer"
    assert check(boot, "holder_binding") is CheckStatus.PASSED
    assert result.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_undisclosed_values_are_nowhere_in_the_file(demo_wallet: Demo) -> None:
    built = demo_wallet.wallet.present(
        [demo_wallet.ids["sdjwt"]], ["grade"], audience=AUD, nonce=NONCE
    )
    data = built.envelope
    texts = [data]
    for token in json.loads(data)["parts"][0]["data"].replace("~", ".").split("."):
        if token:
            texts.append(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    blob = b"".join(texts)
    for secret in [
        "1994-06-12",
        "DC-2026-88412",
        "Alex",
        '"Learner"',
        "SCA-210",
        "forecast demand",
        "Fall 2026",
    ]:
        assert secret.encode() not in blob, secret  # ("Learner" alone is in the file type name)
    assert b"B+" in blob


@pytest.mark.parametrize(
    ("aud", "nonce", "failed"), [("Other Corp", NONCE, "audience"), (AUD, "ZZZZ-ZZZZ", "nonce")]
)
def test_wrong_audience_or_nonce_is_invalid(
    demo_wallet: Demo, verifier: Wallet, aud: str, nonce: str, failed: str
) -> None:
    built = demo_wallet.wallet.present(
        [demo_wallet.ids["sdjwt"], demo_wallet.ids["ob3"]], ["grade"], audience=AUD, nonce=NONCE
    )
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=aud, nonce=nonce
    )
    assert result.verdict is Verdict.INVALID
    for item in result.to_dict()["credentials"]:
        assert check(item, failed) is CheckStatus.FAILED


def test_stale_presentation_is_invalid(demo_wallet: Demo, verifier: Wallet) -> None:
    built = demo_wallet.wallet.present([demo_wallet.ids["ob3"]], [], audience=AUD, nonce=NONCE)
    later = verifier.verify_context(now=datetime.fromtimestamp(time.time() + 3600, UTC))
    result = verify_presentation(built.envelope, later, audience=AUD, nonce=NONCE)
    assert result.verdict is Verdict.INVALID
    assert check(result.to_dict()["credentials"][0], "freshness") is CheckStatus.FAILED


def test_expires_option_is_enforced(demo_wallet: Demo, verifier: Wallet) -> None:
    built = demo_wallet.wallet.present(
        [demo_wallet.ids["sdjwt"]], ["grade"], audience=AUD, nonce=NONCE, expires_in=60
    )
    soon = verifier.verify_context(now=datetime.fromtimestamp(time.time() + 200, UTC))
    result = verify_presentation(built.envelope, soon, audience=AUD, nonce=NONCE, max_age_s=3600)
    assert check(result.to_dict()["credentials"][0], "freshness") is CheckStatus.FAILED


def test_vp_signed_by_another_holder_fails_binding(
    demo_wallet: Demo, verifier: Wallet, tmp_path: Any
) -> None:
    from wallet.store import KdfParams

    thief, _ = Wallet.create(
        tmp_path / "thief", "thief passphrase", kdf=KdfParams.for_tests(), allow_weak=True
    )
    stolen = demo_wallet.wallet.get(demo_wallet.ids["ob3"]).credential
    key = thief.holder_key("EdDSA")
    forged = vp.make_vp_ldp(
        [json.loads(stolen.raw)],
        key.private_key,
        key.did,
        f"{key.did}#{key.did[8:]}",  # type: ignore[arg-type]
        challenge=NONCE,
        domain=AUD,
    )
    data = env_mod.build_envelope(
        [env_mod.Part("vp-ldp", forged)], audience=AUD, nonce=NONCE, created="x"
    )
    result = verify_presentation(data, verifier.verify_context(), audience=AUD, nonce=NONCE)
    assert result.verdict is Verdict.INVALID
    detail = [
        c["detail"] for c in result.to_dict()["credentials"][0]["checks"] if c["status"] == "failed"
    ]
    assert any("presented it" in d for d in detail)
    thief.close()


def test_revoked_credential_with_a_cached_status_list(tmp_path: Any, verifier: Wallet) -> None:
    from wallet.store import KdfParams

    holder, _ = Wallet.create(
        tmp_path / "h2", "holder passphrase", kdf=KdfParams.for_tests(), allow_weak=True
    )
    key = holder.holder_key("EdDSA")
    list_url = "https://college.demo/status/1"
    doc = ob3_credential(
        COLLEGE,
        credential_id="revoked-1",
        subject_id=key.did,
        subject_name="Alex",
        achievement_name="Revoked Badge",
        description="d",
        criteria="c",
    )
    doc["credentialStatus"] = {
        "id": f"{list_url}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": list_url,
    }
    holder.import_bytes(json.dumps(sign(doc, COLLEGE)).encode())
    bits = bytearray(16384 // 8)
    bits[0] = 0b00000100  # index 5, most significant bit first
    status_list = sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": list_url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": COLLEGE.did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{list_url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": "u"
                + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode(),
            },
        },
        COLLEGE,
    )
    built = holder.present([holder.list()[0].id], [], audience=AUD, nonce=NONCE)
    # Without the list the verifier cannot know: a warning, never silently fine.
    unknown = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    assert check(unknown.to_dict()["credentials"][0], "status") is CheckStatus.WARNING
    verifier.cache_put(list_url, json.dumps(status_list).encode())
    result = verify_presentation(
        built.envelope, verifier.verify_context(), audience=AUD, nonce=NONCE
    )
    item = result.to_dict()["credentials"][0]
    assert result.verdict is Verdict.INVALID
    assert check(item, "status") is CheckStatus.FAILED
    holder.close()


def test_unknown_disclosure_path_is_a_usage_error(demo_wallet: Demo) -> None:
    with pytest.raises(UsageError, match="no chosen credential has the claim shoe_size"):
        demo_wallet.wallet.present(
            [demo_wallet.ids["sdjwt"]], ["shoe_size"], audience=AUD, nonce=NONCE
        )


def test_id_prefixed_path_targets_one_credential(demo_wallet: Demo, verifier: Wallet) -> None:
    sd = demo_wallet.ids["sdjwt"]
    built = demo_wallet.wallet.present([sd], [f"{sd[:8]}:term"], audience=AUD, nonce=NONCE)
    result = verify_presentation(built.envelope, VerifyContext(), audience=AUD, nonce=NONCE)
    assert result.to_dict()["credentials"][0]["claims"]["term"] == "Fall 2026"
