"""Every byte of a signed VC-JWT / SD-JWT presentation is covered by a check, and
structured fuzzing of the JOSE parsers and verifiers only ever raises WalletError."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import engine
from wallet.errors import WalletError
from wallet.formats import registry, sdjwt, vc_jwt
from wallet.issuer.samples import DemoIssuer, ob3_credential
from wallet.model import CheckStatus, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.context import VerifyContext

P256 = DemoIssuer.p256("Tamper College", "https://tamper.test", "tamper-test")
ED = DemoIssuer.ed25519("Ed Tamper College", "https://ed-tamper.test", "ed-tamper-test")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decoded(token: str) -> list[bytes]:
    """The bytes each '.'/'~' separated part decodes to (undecodable parts kept raw)."""
    out = []
    for part in token.replace("~", ".").split("."):
        try:
            out.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except ValueError:
            out.append(part.encode())
    return out


def _vc_jwt(issuer: DemoIssuer) -> str:
    doc = ob3_credential(
        issuer,
        credential_id="tamper",
        subject_id="did:example:sam",
        subject_name="Sam",
        achievement_name="Tamper Proofing",
        description="Every byte counts.",
        criteria="Flip one.",
    )
    payload = {"iss": issuer.did, "sub": "did:example:sam", "nbf": 1767225600, "vc": doc}
    return jws.sign_compact(payload, issuer.key, headers={"kid": issuer.verification_method})


def _mutations(text: str) -> list[tuple[int, str]]:
    """One changed character at every position (a different base64url character)."""
    out = []
    for i, ch in enumerate(text):
        replacement = "B" if ch == "A" else "A"
        out.append((i, text[:i] + replacement + text[i + 1 :]))
    return out


@pytest.mark.parametrize("issuer", [P256, ED], ids=["ES256", "EdDSA"])
def test_vc_jwt_every_changed_character_is_invalid(issuer: DemoIssuer) -> None:
    token = _vc_jwt(issuer)
    ctx = VerifyContext()
    assert engine.verify_credential(registry.parse(token.encode()), ctx).verdict in (
        Verdict.VALID_UNTRUSTED_ISSUER,
        Verdict.VALID,
    )
    for position, mutated in _mutations(token):
        try:
            report = engine.verify_credential(registry.parse(mutated.encode()), ctx)
        except WalletError:
            continue
        if report.verdict is Verdict.INVALID:
            continue
        # The only acceptable survivor: a last character whose unused low bits changed,
        # so every part decodes to exactly the signed bytes.
        assert _decoded(mutated) == _decoded(token), (position, report.to_dict())


def test_sd_jwt_presentation_every_changed_character_is_caught() -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    iss = "https://tamper-sd.test"
    credential = present_sd.issue(
        {"given_name": "Sam", "grade": "A", "skills": ["sql", "python"]},
        ["given_name", "grade", "skills.1"],
        issuer_key,
        iss=iss,
        holder_jwk=holder_jwk,
    )
    text = present_sd.present(
        credential, ["grade", "skills.1"], holder_key, audience="V", nonce="N"
    )
    ctx = ctx_with_issuers({iss: issuer_jwk})
    original = present_sd.verify_presentation(text, ctx, audience="V", nonce="N")
    assert all(c.status is CheckStatus.PASSED for c in original.checks)
    for position, mutated in _mutations(text):
        try:
            result = present_sd.verify_presentation(mutated, ctx, audience="V", nonce="N")
        except WalletError:
            continue
        if any(c.status is not CheckStatus.PASSED for c in result.checks):
            continue
        assert _decoded(mutated) == _decoded(text), (position, mutated)


# -- structured fuzzing: JWT-shaped input with arbitrary JSON inside ------------------


def _json_values(*, infinity: bool) -> st.SearchStrategy[Any]:
    # json.dumps writes Infinity, which the wallet rightly refuses: allowed only where the
    # test wants refusals, not where the issuer JWT must stay valid.
    scalars = st.floats(allow_nan=False, allow_infinity=infinity)
    return st.recursive(
        st.none() | st.booleans() | st.integers() | scalars | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )


_json = _json_values(infinity=True)
_claim_names = st.sampled_from(
    [
        "iss",
        "sub",
        "nbf",
        "exp",
        "iat",
        "jti",
        "vc",
        "vct",
        "cnf",
        "_sd",
        "_sd_alg",
        "status",
        "credentialSubject",
        "issuer",
        "@context",
        "type",
        "validFrom",
        "alg",
        "kid",
        "typ",
        "crit",
    ]
)
_objects = st.dictionaries(_claim_names | st.text(max_size=5), _json, max_size=8)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["ES256", "EdDSA", "RS256", "none", "HS256", "PS256"]) | _json,
        "kid": st.sampled_from([P256.verification_method, "did:jwk:e30#0", "#0"]) | _json,
        "typ": st.sampled_from(["JWT", "vc+jwt", "dc+sd-jwt", "vc+sd-jwt", "kb+jwt"]) | _json,
        "crit": _json,
        "b64": _json,
    },
)


def _segment(value: Any) -> str:
    return _b64(json.dumps(value).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=_headers, payload=_objects, signature=st.binary(max_size=96))
def test_fuzz_vc_jwt_shaped_input(header: Any, payload: Any, signature: bytes) -> None:
    token = f"{_segment(header)}.{_segment(payload)}.{_b64(signature)}".encode()
    with contextlib.suppress(WalletError):
        credential = vc_jwt.parse(token)
        checks = vc_jwt.verify_signature(credential, VerifyContext())
        # A random signature can never verify.
        assert all(c.status is not CheckStatus.PASSED for c in checks if c.name == "signature")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=_headers,
    payload=_objects,
    disclosures=st.lists(st.lists(_json, max_size=4) | _json, max_size=4),
    kb=st.none() | _objects,
)
def test_fuzz_sd_jwt_shaped_input(
    header: Any, payload: Any, disclosures: list[Any], kb: Any
) -> None:
    texts = [_segment(d) for d in disclosures]
    if isinstance(payload, dict) and texts:
        # Reference some of them, so processing gets past the digest lookup.
        payload.setdefault("_sd", [sdjwt.digest_of(t, "sha-256") for t in texts[::2]])
    issuer_jwt = f"{_segment(header)}.{_segment(payload)}.{_b64(b'x' * 64)}"
    kb_jwt = (
        "" if kb is None else f"{_segment({'alg': 'ES256', 'typ': 'kb+jwt'})}.{_segment(kb)}.AA"
    )
    text = "~".join([issuer_jwt, *texts]) + "~" + kb_jwt
    with contextlib.suppress(WalletError):
        credential = sdjwt.parse(text.encode())
        sdjwt.verify_signature(credential, VerifyContext())
    with contextlib.suppress(WalletError):
        result = present_sd.verify_presentation(text, VerifyContext(), audience="a", nonce="n")
        assert not all(c.status is CheckStatus.PASSED for c in result.checks)


_FUZZ_ISSUER = new_p256()
_FUZZ_ISS = "https://fuzz-issuer.test"
_finite_json = _json_values(infinity=False)
_jwk_values = (
    st.sampled_from(["EC", "OKP", "RSA", "P-256", "Ed25519", "AQAB", "", "A" * 43]) | _finite_json
)
_jwks = st.fixed_dictionaries(
    {},
    optional={k: _jwk_values for k in ("kty", "crv", "x", "y", "n", "e", "d")},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    holder_jwk=_jwks | _finite_json,
    alg=st.sampled_from(["ES256", "EdDSA", "Ed25519", "RS256", "ES384"]),
    kb_claims=_objects,
)
def test_fuzz_holder_keys_and_kb_claims(holder_jwk: Any, alg: str, kb_claims: Any) -> None:
    """A validly issued credential whose cnf key and KB-JWT are arbitrary: failed checks only."""
    key, jwk = _FUZZ_ISSUER
    payload = {"iss": _FUZZ_ISS, "_sd_alg": "sha-256", "_sd": [], "cnf": {"jwk": holder_jwk}}
    issuer_jwt = jws.sign_compact(payload, key, headers={"typ": "dc+sd-jwt"})
    kb_jwt = f"{_segment({'alg': alg, 'typ': 'kb+jwt'})}.{_segment(kb_claims)}.{_b64(b'k' * 64)}"
    ctx = ctx_with_issuers({_FUZZ_ISS: jwk})
    result = present_sd.verify_presentation(f"{issuer_jwt}~{kb_jwt}", ctx, audience="a", nonce="n")
    checks = {c.name: c.status for c in result.checks}
    assert checks["signature"] is CheckStatus.PASSED
    # A cnf holding _sd-like junk fails the disclosure processing before key binding.
    assert (
        checks.get("holder_binding") is CheckStatus.FAILED
        or checks["disclosures"] is CheckStatus.FAILED
    ), checks


@pytest.fixture(scope="module")
def presentation() -> tuple[str, VerifyContext]:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    iss = "https://segments.test"
    credential = present_sd.issue(
        {"a": 1, "b": {"c": 2, "d": 3}, "e": ["x", "y", "z"]},
        ["a", "b", "b.c", "b.d", "e.0", "e.2"],
        issuer_key,
        iss=iss,
        holder_jwk=holder_jwk,
        decoys=2,
    )
    text = present_sd.present(credential, ["b.c", "e.2"], holder_key, audience="V", nonce="N")
    # The undisclosed segments of the same credential, for splicing in.
    spare = [d for d in credential.split("~")[1:-1] if d not in text]
    return text + "|" + "~".join(spare), ctx_with_issuers({iss: issuer_jwk})


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_rearranged_segments_never_pass(
    presentation: tuple[str, VerifyContext], data: st.DataObject
) -> None:
    """Dropping, duplicating, reordering or splicing in ~ segments breaks some check."""
    packed, ctx = presentation
    text, spare_text = packed.split("|")
    original = present_sd.verify_presentation(text, ctx, audience="V", nonce="N")
    assert all(c.status is CheckStatus.PASSED for c in original.checks)  # the control
    segments = text.split("~")
    # Issuer JWT first and KB-JWT (or nothing) last, so the verifier gets past parsing and
    # must judge the disclosures in between.
    pool = segments[1:-1] + spare_text.split("~")
    middle = data.draw(st.lists(st.sampled_from(pool), max_size=len(segments) + 1))
    last = data.draw(st.sampled_from([segments[-1], ""]))
    mutated = [segments[0], *middle, last]
    assume(mutated != segments)
    candidate = "~".join(mutated)
    try:
        result = present_sd.verify_presentation(candidate, ctx, audience="V", nonce="N")
    except WalletError:
        return
    assert any(c.status is not CheckStatus.PASSED for c in result.checks), candidate
