"""VP-JWT and Data Integrity VP, checked directly at the vp module: every way a holder's
statement can be wrong (nonce, audience, age, clock, key) fails its own named check."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.errors import WalletError
from wallet.model import HOLDER_BINDING, SUBJECT_BINDING, Check, CheckStatus
from wallet.present import vp
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

AUD, NONCE = "https://hiring.acme.example", "n-4f9Qx"
NOW = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


class Holder:
    def __init__(self, key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> None:
        self.key = key
        self.did = keys.did_key_from_public_key(key.public_key())
        self.vm = f"{self.did}#{self.did[len('did:key:') :]}"


@pytest.fixture
def alice() -> Holder:
    return Holder(ed25519.Ed25519PrivateKey.generate())


@pytest.fixture
def mallory() -> Holder:
    return Holder(ed25519.Ed25519PrivateKey.generate())


def ctx(now: datetime = NOW) -> VerifyContext:
    return VerifyContext(now=now)


def status(checks: list[Check], name: str) -> CheckStatus:
    found = [c.status for c in checks if c.name == name]
    assert found, f"no {name} check in {checks}"
    return CheckStatus.FAILED if CheckStatus.FAILED in found else found[0]


def ldp_credential(subject: str | None) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:college",
        "credentialSubject": {"id": subject} if subject else {},
    }
    return cred


def jwt_credential(subject: str | None) -> str:
    issuer = ec.generate_private_key(ec.SECP256R1())
    payload: dict[str, Any] = {"iss": "did:example:college", "vc": ldp_credential(subject)}
    if subject:
        payload["sub"] = subject
    return jws.sign_compact(payload, issuer)


# -- VP-JWT -----------------------------------------------------------------------------------


def make_jwt(holder: Holder, *, iat: datetime = NOW, subject: str | None = None, **kw: Any) -> str:
    return vp.make_vp_jwt(
        [jwt_credential(subject or holder.did)],
        holder.key,
        holder.did,
        holder.vm,
        audience=kw.get("audience", AUD),
        nonce=kw.get("nonce", NONCE),
        iat=int(iat.timestamp()),
        exp=kw.get("exp"),
    )


def test_vp_jwt_good(alice: Holder) -> None:
    creds, checks = vp.verify_vp_jwt(make_jwt(alice), ctx(), audience=AUD, nonce=NONCE)
    assert len(creds) == 1 and isinstance(creds[0], str)
    for name in (HOLDER_BINDING, "nonce", "audience", "freshness"):
        assert status(checks, name) is CheckStatus.PASSED, checks


@pytest.mark.parametrize(
    ("kwargs", "failing"),
    [
        ({"nonce": "replayed"}, "nonce"),
        ({"audience": "https://other.example"}, "audience"),
        ({"iat": NOW - timedelta(seconds=301)}, "freshness"),  # too old
        ({"iat": NOW + timedelta(seconds=120)}, "freshness"),  # from the future, past skew
        ({"exp": int((NOW - timedelta(seconds=61)).timestamp())}, "freshness"),  # expired
    ],
)
def test_vp_jwt_bad_claims(alice: Holder, kwargs: dict[str, Any], failing: str) -> None:
    _, checks = vp.verify_vp_jwt(make_jwt(alice, **kwargs), ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, failing) is CheckStatus.FAILED
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED  # only the named check fails


def test_vp_jwt_skew_within_a_minute_is_fine(alice: Holder) -> None:
    token = make_jwt(alice, iat=NOW + timedelta(seconds=30))
    _, checks = vp.verify_vp_jwt(token, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, "freshness") is CheckStatus.PASSED


def test_vp_jwt_signed_by_another_key(alice: Holder, mallory: Holder) -> None:
    """Mallory signs but claims to be Alice (iss = Alice's DID): the signature fails."""
    token = vp.make_vp_jwt(
        [jwt_credential(alice.did)],
        mallory.key,
        alice.did,
        alice.vm,
        audience=AUD,
        nonce=NONCE,
        iat=int(NOW.timestamp()),
    )
    _, checks = vp.verify_vp_jwt(token, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.FAILED


def test_vp_jwt_stolen_credential(alice: Holder, mallory: Holder) -> None:
    """Mallory presents Alice's credential under her own, valid signature."""
    token = make_jwt(mallory, subject=alice.did)
    _, checks = vp.verify_vp_jwt(token, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED
    assert status(checks, SUBJECT_BINDING) is CheckStatus.FAILED
    assert any("presented it" in c.detail for c in checks)


def test_vp_jwt_unbound_credential_is_not_checked(alice: Holder) -> None:
    token = vp.make_vp_jwt(
        [jwt_credential(None)],
        alice.key,
        alice.did,
        alice.vm,
        audience=AUD,
        nonce=NONCE,
        iat=int(NOW.timestamp()),
    )
    _, checks = vp.verify_vp_jwt(token, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED
    subject = [c for c in checks if c.name == SUBJECT_BINDING]
    assert [c.status for c in subject] == [CheckStatus.NOT_CHECKED]
    assert "names no key of its subject" in subject[0].detail


def test_vp_jwt_es256_holder() -> None:
    holder = Holder(ec.generate_private_key(ec.SECP256R1()))
    _, checks = vp.verify_vp_jwt(make_jwt(holder), ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED


# -- Data Integrity VP ----------------------------------------------------------------------


def make_ldp(
    holder: Holder, *, created: datetime = NOW, subject: str | None = "", **kw: Any
) -> Any:
    return vp.make_vp_ldp(
        [ldp_credential(holder.did if subject == "" else subject)],
        holder.key,
        holder.did,
        holder.vm,
        challenge=kw.get("challenge", NONCE),
        domain=kw.get("domain", AUD),
        created=created.isoformat().replace("+00:00", "Z"),
        expires=kw.get("expires"),
    )


def test_vp_ldp_good(alice: Holder) -> None:
    doc = make_ldp(alice)
    proof = doc["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "authentication"
    assert (proof["challenge"], proof["domain"]) == (NONCE, AUD)
    creds, checks = vp.verify_vp_ldp(doc, ctx(), audience=AUD, nonce=NONCE)
    assert len(creds) == 1
    for name in (HOLDER_BINDING, "nonce", "audience", "freshness"):
        assert status(checks, name) is CheckStatus.PASSED, checks


@pytest.mark.parametrize(
    ("kwargs", "failing"),
    [
        ({"challenge": "replayed"}, "nonce"),
        ({"domain": "https://other.example"}, "audience"),
        ({"created": NOW - timedelta(minutes=10)}, "freshness"),
        ({"created": NOW + timedelta(minutes=5)}, "freshness"),
        ({"expires": "2026-11-23T09:58:00Z"}, "freshness"),
    ],
)
def test_vp_ldp_bad_claims(alice: Holder, kwargs: dict[str, Any], failing: str) -> None:
    _, checks = vp.verify_vp_ldp(make_ldp(alice, **kwargs), ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, failing) is CheckStatus.FAILED
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED


def test_vp_ldp_tampered_after_signing(alice: Holder) -> None:
    """The verifier's nonce is inside the signed proof: editing it breaks the signature."""
    doc = make_ldp(alice, challenge="old-nonce")
    doc["proof"]["challenge"] = NONCE
    _, checks = vp.verify_vp_ldp(doc, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.FAILED


def test_vp_ldp_signed_by_another_key(alice: Holder, mallory: Holder) -> None:
    """Mallory's key, Alice named as holder and (falsely) as verification method."""
    doc = vp.make_vp_ldp(
        [ldp_credential(alice.did)],
        mallory.key,
        alice.did,
        alice.vm,
        challenge=NONCE,
        domain=AUD,
        created="2026-11-23T10:00:00Z",
    )
    _, checks = vp.verify_vp_ldp(doc, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.FAILED


def test_vp_ldp_holder_and_signer_differ(alice: Holder, mallory: Holder) -> None:
    """Signed correctly by Mallory's key but claiming Alice as holder."""
    doc = vp.make_vp_ldp(
        [ldp_credential(alice.did)],
        mallory.key,
        alice.did,
        mallory.vm,
        challenge=NONCE,
        domain=AUD,
        created="2026-11-23T10:00:00Z",
    )
    _, checks = vp.verify_vp_ldp(doc, ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.FAILED


def test_vp_ldp_unbound_credential_is_not_checked(alice: Holder) -> None:
    _, checks = vp.verify_vp_ldp(make_ldp(alice, subject=None), ctx(), audience=AUD, nonce=NONCE)
    assert status(checks, HOLDER_BINDING) is CheckStatus.PASSED
    assert [c.status for c in checks if c.name == SUBJECT_BINDING] == [CheckStatus.NOT_CHECKED]


# -- hostile input ------------------------------------------------------------------------------

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda kids: (
        st.lists(kids, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "holder", "credentialSubject", "vc", "sub", "created", "x"]),
            kids,
            max_size=3,
        )
    ),
    max_leaves=12,
)
FUZZ_KEY = ed25519.Ed25519PrivateKey.generate()


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"holder": st.one_of(junk, st.just("did:example:h"))},
        optional={"verifiableCredential": junk, "proof": junk},
    )
)
def test_fuzz_vp_ldp_only_raises_wallet_errors(doc: dict[str, Any]) -> None:
    with contextlib.suppress(WalletError):
        vp.verify_vp_ldp(doc, ctx(), audience=AUD, nonce=NONCE)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"iss": st.one_of(junk, st.just("did:example:h"))},
        optional={"vp": st.dictionaries(st.just("verifiableCredential"), junk), "iat": junk},
    )
)
def test_fuzz_vp_jwt_only_raises_wallet_errors(payload: dict[str, Any]) -> None:
    with contextlib.suppress(WalletError):
        vp.verify_vp_jwt(jws.sign_compact(payload, FUZZ_KEY), ctx(), audience=AUD, nonce=NONCE)
