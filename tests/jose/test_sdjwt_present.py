"""Our SD-JWT issuance and presentation: selective disclosure, key binding, and each attack
the issue names, checked with our verifier."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import engine
from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.formats import registry, sdjwt
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws, keys

ISS = "https://college.test"
CLAIMS: dict[str, Any] = {
    "vct": "https://college.test/credentials/micro",
    "name": "Data Analysis Fundamentals",
    "issuer_name": "Test College",
    "given_name": "Sam",
    "family_name": "Learner",
    "birthdate": "1990-04-01",
    "email": "sam@example.org",
    "student_number": "S-7731-XQ",
    "grade": "A-",
    "credits": 3,
    "skills": ["clean data", "visualise data", "SQL joins"],
    "address": {"street": "12 Secret Lane", "city": "Toronto"},
}
DISCLOSABLE = [
    "given_name",
    "family_name",
    "birthdate",
    "email",
    "student_number",
    "grade",
    "credits",
    "skills.0",
    "skills.1",
    "skills.2",
    "address",
    "address.street",
    "address.city",
]


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    credential = present_sd.issue(
        CLAIMS, DISCLOSABLE, issuer_key, iss=ISS, holder_jwk=holder_jwk, decoys=3
    )
    return {
        "issuer_key": issuer_key,
        "holder_key": holder_key,
        "credential": credential,
        "ctx": lambda **kw: ctx_with_issuers({ISS: issuer_jwk}, **kw),
    }


def statuses(result: present_sd.PresentedCredential) -> dict[str, CheckStatus]:
    return {c.name: c.status for c in result.checks}


def test_issued_credential_imports_with_its_disclosable_paths(setup: dict[str, Any]) -> None:
    credential = registry.parse(setup["credential"].encode())
    assert credential.title == "Data Analysis Fundamentals"
    assert credential.issuer.name == "Test College"
    assert {"/" + p.replace(".", "/") for p in DISCLOSABLE} == set(credential.disclosable)
    report = engine.verify_credential(credential, setup["ctx"]())
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_presentation_reveals_only_the_chosen_claims(setup: dict[str, Any]) -> None:
    text = present_sd.present(
        setup["credential"],
        ["grade", "skills.1", "address.city"],
        setup["holder_key"],
        audience="Acme Hiring",
        nonce="K7QF2M9X",
    )
    result = present_sd.verify_presentation(
        text, setup["ctx"](), audience="Acme Hiring", nonce="K7QF2M9X"
    )
    assert set(statuses(result).values()) == {CheckStatus.PASSED}
    assert result.claims["grade"] == "A-"
    assert result.claims["skills"] == ["visualise data"]
    assert result.claims["address"] == {"city": "Toronto"}
    assert "birthdate" not in result.claims
    # None of the undisclosed values is anywhere in the bytes, encoded or not.
    import base64

    blob = text.encode()
    decoded = b"".join(
        base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
        for seg in text.split("~")
        for p in seg.split(".")
        if p
    )
    for secret in [
        "1990-04-01",
        "sam@example.org",
        "S-7731-XQ",
        "Sam",
        "Learner",
        "12 Secret Lane",
        "clean data",
        "SQL joins",
    ]:
        assert secret.encode() not in blob
        assert secret.encode() not in decoded, secret


def test_unknown_path_is_refused(setup: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="not a claim"):
        present_sd.present(
            setup["credential"], ["shoe_size"], setup["holder_key"], audience="a", nonce="n"
        )


def test_another_holder_key_cannot_present(setup: dict[str, Any]) -> None:
    other, _ = new_p256()
    with pytest.raises(UsageError, match="different holder key"):
        present_sd.present(setup["credential"], ["grade"], other, audience="a", nonce="n")


@pytest.mark.parametrize(
    ("audience", "nonce", "failed"),
    [("Other Corp", "K7QF2M9X", "audience"), ("Acme Hiring", "WRONG", "nonce")],
)
def test_wrong_nonce_or_audience(
    setup: dict[str, Any], audience: str, nonce: str, failed: str
) -> None:
    text = present_sd.present(
        setup["credential"],
        ["grade"],
        setup["holder_key"],
        audience="Acme Hiring",
        nonce="K7QF2M9X",
    )
    result = present_sd.verify_presentation(text, setup["ctx"](), audience=audience, nonce=nonce)
    assert statuses(result)[failed] is CheckStatus.FAILED


@pytest.mark.parametrize(("offset", "word"), [(-3600, "ago"), (3600, "future")])
def test_stale_or_future_presentation(setup: dict[str, Any], offset: int, word: str) -> None:
    text = present_sd.present(
        setup["credential"],
        ["grade"],
        setup["holder_key"],
        audience="A",
        nonce="N",
        iat=int(time.time()) + offset,
    )
    result = present_sd.verify_presentation(text, setup["ctx"](), audience="A", nonce="N")
    check = next(c for c in result.checks if c.name == "freshness")
    assert check.status is CheckStatus.FAILED and word in check.detail


def test_expired_presentation(setup: dict[str, Any]) -> None:
    text = present_sd.present(
        setup["credential"],
        ["grade"],
        setup["holder_key"],
        audience="A",
        nonce="N",
        exp=int(time.time()) - 120,
    )
    result = present_sd.verify_presentation(text, setup["ctx"](), audience="A", nonce="N")
    assert statuses(result)["freshness"] is CheckStatus.FAILED


def test_kb_jwt_signed_by_another_key(setup: dict[str, Any]) -> None:
    other, _other_jwk = new_p256()
    text = present_sd.present(
        setup["credential"], ["grade"], setup["holder_key"], audience="A", nonce="N"
    )
    base, _ = text.rsplit("~", 1)
    forged_kb = jws.sign_compact(
        {
            "iat": int(time.time()),
            "aud": "A",
            "nonce": "N",
            "sd_hash": sdjwt.digest_of(base + "~", "sha-256"),
        },
        other,
        headers={"typ": "kb+jwt"},
    )
    result = present_sd.verify_presentation(
        base + "~" + forged_kb, setup["ctx"](), audience="A", nonce="N"
    )
    assert statuses(result)["holder_binding"] is CheckStatus.FAILED


def test_disclosure_added_after_signing_breaks_sd_hash(setup: dict[str, Any]) -> None:
    full = sdjwt.split(setup["credential"])
    text = present_sd.present(
        setup["credential"], ["grade"], setup["holder_key"], audience="A", nonce="N"
    )
    base, kb = text.rsplit("~", 1)
    extra = next(d.text for d in full.disclosures if d.text not in base)
    result = present_sd.verify_presentation(
        base + "~" + extra + "~" + kb, setup["ctx"](), audience="A", nonce="N"
    )
    binding = next(c for c in result.checks if c.name == "holder_binding")
    assert binding.status is CheckStatus.FAILED and "sd_hash" in binding.detail


def test_disclosure_removed_after_signing_breaks_sd_hash(setup: dict[str, Any]) -> None:
    text = present_sd.present(
        setup["credential"], ["grade", "email"], setup["holder_key"], audience="A", nonce="N"
    )
    parts = text.split("~")
    shortened = "~".join([parts[0], *parts[2:]])
    result = present_sd.verify_presentation(shortened, setup["ctx"](), audience="A", nonce="N")
    assert statuses(result)["holder_binding"] is CheckStatus.FAILED


def test_disclosure_spliced_from_another_credential(setup: dict[str, Any]) -> None:
    other_issuer, _ = new_p256()
    _, holder_jwk = new_p256()
    foreign = present_sd.issue(CLAIMS, ["grade"], other_issuer, iss=ISS, holder_jwk=holder_jwk)
    foreign_grade = sdjwt.split(foreign).disclosures[0].text
    text = present_sd.present(
        setup["credential"], ["email"], setup["holder_key"], audience="A", nonce="N"
    )
    base, kb = text.rsplit("~", 1)
    result = present_sd.verify_presentation(
        base + "~" + foreign_grade + "~" + kb, setup["ctx"](), audience="A", nonce="N"
    )
    assert statuses(result)["disclosures"] is CheckStatus.FAILED
    assert result.credential is None


def test_missing_kb_jwt_fails_holder_binding(setup: dict[str, Any]) -> None:
    text = present_sd.present(
        setup["credential"], ["grade"], setup["holder_key"], audience="A", nonce="N"
    )
    base = text.rsplit("~", 1)[0] + "~"
    result = present_sd.verify_presentation(base, setup["ctx"](), audience="A", nonce="N")
    assert statuses(result)["holder_binding"] is CheckStatus.FAILED


def test_tampered_issuer_jwt_is_invalid(setup: dict[str, Any]) -> None:
    text: str = setup["credential"]
    jwt, rest = text.split("~", 1)
    header, payload, sig = jwt.split(".")
    body = json.loads(keys.b64url_decode(payload))
    body["iss"] = ISS  # unchanged value, re-encoded: still the same bytes? no: re-serialised
    body["name"] = "Advanced Data Science"
    forged = ".".join([header, sdjwt.b64url(json.dumps(body).encode()), sig])
    report = engine.verify_credential(
        registry.parse((forged + "~" + rest).encode()), setup["ctx"]()
    )
    assert report.verdict is Verdict.INVALID


def test_every_mutated_byte_is_caught(setup: dict[str, Any]) -> None:
    data = setup["credential"].encode()
    ctx = setup["ctx"]()
    accepted = []
    for position in range(0, len(data), 5):
        mutated = bytearray(data)
        mutated[position] = ord("A") if mutated[position] != ord("A") else ord("B")
        try:
            report = engine.verify_credential(registry.parse(bytes(mutated)), ctx)
        except WalletError:
            continue
        if report.verdict is not Verdict.INVALID:
            accepted.append((position, report.verdict))
    # A changed base64url character can leave the decoded bytes unchanged only in the
    # last character's unused low bits; everything else must be caught.
    assert all(data[p : p + 1] != b"~" for p, _ in accepted)
    assert len(accepted) <= len(data) // 200, accepted


def _forge(payload: dict[str, Any], disclosures: list[list[Any]], key: Any) -> str:
    texts = [sdjwt.b64url(json.dumps(d).encode()) for d in disclosures]
    return (
        jws.sign_compact(payload, key, headers={"typ": "dc+sd-jwt"})
        + "~"
        + "".join(t + "~" for t in texts)
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("digest used twice", "more than once"),
        ("unreferenced disclosure", "not referenced"),
        ("_sd claim name", "'_sd'"),
        ("... claim name", "'...'"),
        ("overwrites a claim", "overwrite"),
        ("same disclosure twice", "twice"),
    ],
)
def test_malicious_disclosures_are_refused(setup: dict[str, Any], case: str, message: str) -> None:
    key = setup["issuer_key"]
    good = ["salt1", "grade", "A"]
    other = ["salt2", "email", "x@example.org"]
    d_good = sdjwt.b64url(json.dumps(good).encode())
    d_other = sdjwt.b64url(json.dumps(other).encode())
    dg = sdjwt.digest_of(d_good, "sha-256")
    do = sdjwt.digest_of(d_other, "sha-256")
    payload: dict[str, Any] = {"iss": ISS, "_sd_alg": "sha-256", "_sd": [dg]}
    disclosures: list[list[Any]] = [good]
    if case == "digest used twice":
        payload["nested"] = {"_sd": [dg]}
    elif case == "unreferenced disclosure":
        disclosures.append(other)
    elif case == "_sd claim name":
        disclosures = [["salt1", "_sd", ["x"]]]
        payload["_sd"] = [
            sdjwt.digest_of(sdjwt.b64url(json.dumps(disclosures[0]).encode()), "sha-256")
        ]
    elif case == "... claim name":
        disclosures = [["salt1", "...", "x"]]
        payload["_sd"] = [
            sdjwt.digest_of(sdjwt.b64url(json.dumps(disclosures[0]).encode()), "sha-256")
        ]
    elif case == "overwrites a claim":
        payload["grade"] = "F"
    elif case == "same disclosure twice":
        disclosures.append(good)
    del do
    text = _forge(payload, disclosures, key)
    with pytest.raises(MalformedInput, match=message):
        sdjwt.processed_claims(text)
    # The document is still a credential: tampered, so a failed check, never a crash.
    checks = sdjwt.issuer_checks(sdjwt.split(text), setup["ctx"]())
    assert {c.name: c.status for c in checks}["disclosures"] is CheckStatus.FAILED
    assert registry.parse(text.encode()).disclosable == ()


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=600)
    | st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_.~=", max_size=400).map(str.encode)
)
def test_fuzz_parse_only_raises_wallet_errors(data: bytes) -> None:
    for parser in (sdjwt.parse, registry.parse):
        with contextlib.suppress(WalletError):
            parser(data)


def test_old_presentation_within_max_age_parameter(setup: dict[str, Any]) -> None:
    text = present_sd.present(
        setup["credential"],
        ["grade"],
        setup["holder_key"],
        audience="A",
        nonce="N",
        iat=int(time.time()) - 400,
    )
    later = setup["ctx"](now=datetime.now(UTC) + timedelta(seconds=0))
    assert (
        statuses(
            present_sd.verify_presentation(text, later, audience="A", nonce="N", max_age_s=600)
        )["freshness"]
        is CheckStatus.PASSED
    )
