"""Oracle tests for the verification fast paths: each new path against the one it replaced
(the per-character depth scan, joserfc's import-and-deserialize), on random inputs."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import jsonguard
from wallet.errors import MalformedInput, UnsupportedInput
from wallet.formats import sdjwt
from wallet.present import sdjwt as present_sd
from wallet.verify import jws, keys


def _old_depth_ok(text: str, limit: int) -> bool:
    """The per-character scan jsonguard used before, kept as the oracle."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}\n'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet='[]{}"\\ a,:\n\u00e9', max_size=80), st.integers(0, 8))
def test_depth_check_matches_the_old_scan_on_any_text(text: str, limit: int) -> None:
    assert jsonguard._depth_ok(text, limit) is _old_depth_ok(text, limit)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(0, 6))
def test_depth_check_matches_the_old_scan_on_json(value: Any, limit: int) -> None:
    text = json.dumps(value)
    assert jsonguard._depth_ok(text, limit) is _old_depth_ok(text, limit)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 64 + "]" * 64,
        "[" * 65 + "]" * 65,
        '["' + "[" * 100 + '"]',
        '"\\"' + "[" * 65,
        '"abc\\',
        "]" * 10 + "[" * 70,
        '{"a":' * 65 + "1" + "}" * 65,
    ],
)
def test_depth_check_at_the_real_limit(text: str) -> None:
    limit = jsonguard.MAX_DEPTH
    assert jsonguard._depth_ok(text, limit) is _old_depth_ok(text, limit)
    if not _old_depth_ok(text, limit):
        with pytest.raises(MalformedInput, match="nested deeper"):
            jsonguard.load_json(text)


# -- signatures: our cryptography path against a fresh joserfc import ---------------------


@cache
def _keys() -> dict[str, tuple[Any, Any]]:
    """alg -> (signing key, another key of the same kind)."""
    return {
        "ES256": (ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())),
        "ES384": (ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())),
        "EdDSA": (ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()),
        "Ed25519": (ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()),
        "RS256": (
            rsa.generate_private_key(65537, 2048),
            rsa.generate_private_key(65537, 2048),
        ),
    }


def _oracle(text: str, jwk: dict[str, Any], alg: str) -> bool:
    public = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y", "n", "e")}
    try:
        with jws._quiet_eddsa():
            jose_jws.deserialize_compact(text, JWKRegistry.import_key(public), algorithms=[alg])
    except JoseError:
        return False
    return True


def _ours(text: str, jwk: dict[str, Any]) -> bool:
    token = jws.parse_compact(text)
    jws.check_header(token.header)  # as every caller does first
    try:
        jws.verify_with_jwk(token, jwk)
    except jws.BadSignature:
        return False
    return True


def _flip(text: str, index: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    i = index % len(text)
    if text[i] == ".":
        return text
    return text[:i] + alphabet[(alphabet.index(text[i]) + 1) % 64] + text[i + 1 :]


ALGS = ["ES256", "ES384", "EdDSA", "Ed25519", "RS256"]


@pytest.mark.parametrize("alg", ALGS)
def test_signature_fast_path_agrees_with_joserfc_right_and_wrong_key(alg: str) -> None:
    key, other = _keys()[alg]
    token = jws.sign_compact({"iss": "x", "n": 1}, key, alg=alg, headers={"typ": "JWT"})
    right = jws.jwk_of_private(key)
    wrong = jws.jwk_of_private(other)
    for _ in range(2):  # the second round meets the cached key import
        assert _ours(token, right) is _oracle(token, right, alg) is True
        assert _ours(token, wrong) is _oracle(token, wrong, alg) is False
    # A fresh dict with the same members (and extra ones) hits the same cached key.
    assert _ours(token, {**right, "kid": "k", "use": "sig"}) is True


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ALGS), st.integers(0, 10_000), st.sampled_from(["flip", "cut", "swap"]))
def test_signature_fast_path_agrees_with_joserfc_on_tampering(
    alg: str, where: int, how: str
) -> None:
    key, other = _keys()[alg]
    token = jws.sign_compact({"iss": "x", "where": where}, key, alg=alg)
    if how == "flip":
        tampered = _flip(token, where)
    elif how == "cut":
        head, body, sig = token.split(".")
        tampered = f"{head}.{body}.{sig[: where % max(1, len(sig))]}"
    else:
        head, _, sig = token.split(".")
        body = jws.sign_compact({"iss": "y"}, key, alg=alg).split(".")[1]
        tampered = f"{head}.{body}.{sig}"
    try:
        jws.check_header(jws.parse_compact(tampered).header)
    except (MalformedInput, jws.BadSignature):
        return  # refused before any signature check, then and now
    for jwk in (jws.jwk_of_private(key), jws.jwk_of_private(other)):
        assert _ours(tampered, jwk) is _oracle(tampered, jwk, alg)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-custom": 1},  # joserfc is strict: unregistered header names are refused
        {"kid": 5},
        {"typ": ["JWT"]},
        {"jku": "not a url"},
        {"kid": "k" * 600},  # protected header over joserfc's 512 bytes
        {"x5c": ["a", "b"]},
    ],
)
def test_joserfc_header_rules_are_kept(headers: dict[str, Any]) -> None:
    key, _ = _keys()["ES256"]
    jwk = jws.jwk_of_private(key)
    head = keys.b64url(json.dumps({"alg": "ES256", **headers}).encode())
    body = keys.b64url(b'{"iss":"x"}')
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{head}.{body}.{keys.b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    assert _ours(token, jwk) is _oracle(token, jwk, "ES256")


def test_oversize_payload_is_refused_as_joserfc_did() -> None:
    key, _ = _keys()["EdDSA"]
    token = jws.sign_compact({"pad": "x" * 100_000}, key)
    jwk = jws.jwk_of_private(key)
    assert _ours(token, jwk) is _oracle(token, jwk, "EdDSA") is False


def test_unusable_keys_fail_as_bad_signature() -> None:
    key, _ = _keys()["ES256"]
    token = jws.parse_compact(jws.sign_compact({"iss": "x"}, key))
    good = jws.jwk_of_private(key)
    for bad in (
        {**good, "x": good["y"]},
        {**good, "x": 7},
        {**good, "y": "!!"},
        {"kty": "EC", "crv": "P-256"},
    ):
        with pytest.raises(jws.BadSignature):
            jws.verify_with_jwk(token, bad)


# -- parse once ----------------------------------------------------------------------


def test_payload_is_parsed_once_and_errors_keep_their_wording() -> None:
    key, _ = _keys()["EdDSA"]
    token = jws.parse_compact(jws.sign_compact({"a": [1, {"b": 2}]}, key))
    first = token.payload_json()
    assert first == jsonguard.load_json_object(token.payload)
    assert token.payload_json("other") is first
    array = jws.parse_compact(jws.sign_compact(b"[1]", key))
    for what in ("key-binding JWT", "VP-JWT"):
        with pytest.raises(MalformedInput, match=f"{what} must be a JSON object"):
            array.payload_json(what)


def test_issuer_checks_process_once_and_agree_with_process() -> None:
    issuer_key, issuer_jwk = new_p256()
    holder_key, holder_jwk = new_p256()
    text = present_sd.issue(
        {"given_name": "Sam", "address": {"city": "T", "street": "S"}, "grade": "A"},
        ["given_name", "address", "address.city", "grade"],
        issuer_key,
        iss="https://iss.example",
        holder_jwk=holder_jwk,
        decoys=3,
    )
    ctx = ctx_with_issuers({"https://iss.example": issuer_jwk})
    shown = present_sd.present(text, ["address.city"], holder_key, audience="A", nonce="n")
    for candidate in (text, shown, shown.replace("~", "~~", 1)):
        sd = sdjwt.split(candidate)
        checks, processed = sdjwt.issuer_checks_and_claims(sd, ctx)
        assert checks == sdjwt.issuer_checks(sd, ctx)
        try:
            expected = sdjwt.process(sd)
        except MalformedInput:
            assert processed is None
        else:
            assert processed is not None and processed.claims == expected.claims
            assert processed.paths == expected.paths


# -- strict JSON with one shared decoder ----------------------------------------------


def _old_load(text: str) -> Any:
    """jsonguard.load_json's parse before: json.loads with the hooks on every call."""
    if not _old_depth_ok(text, jsonguard.MAX_DEPTH):
        raise MalformedInput("deep")
    try:
        return json.loads(
            text,
            object_pairs_hook=jsonguard._no_duplicates,
            parse_constant=jsonguard._reject_constant,
        )
    except MalformedInput:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None


DEEP = f"JSON is nested deeper than {jsonguard.MAX_DEPTH} levels"


def _outcome(fn: Any, text: str) -> tuple[bool, Any]:
    try:
        return True, fn(text)
    except MalformedInput as exc:
        return False, "deep" if exc.message in ("deep", DEEP) else exc.message


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        _JSON.map(json.dumps),
        st.text(alphabet='{}[]":,1 a\\\ufeffNaIfinty', max_size=40),
        _JSON.map(lambda v: "\ufeff" + json.dumps(v)),
        st.just('{"a":1,"a":2}'),
    )
)
def test_load_json_matches_json_loads_with_hooks(text: str) -> None:
    assert _outcome(jsonguard.load_json, text) == _outcome(_old_load, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="Aa0_-.=+/ \u00e9~", max_size=30))
def test_jws_alphabet_check_matches_the_old_one(text: str) -> None:
    alphabet = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    parts = text.strip().split(".")
    old_refuses = len(parts) == 3 and any(not alphabet.issuperset(p) for p in parts)
    try:
        jws.parse_compact(text)
    except MalformedInput as exc:
        assert ("outside base64url" in exc.message) is old_refuses
    else:
        assert not old_refuses


def test_a_cached_key_never_passes_another_key_or_bytes() -> None:
    key, other = _keys()["ES256"]
    text = jws.sign_compact({"iss": "x"}, key)
    token = jws.parse_compact(text)
    jws.verify_with_jwk(token, jws.jwk_of_private(key))  # the key import is now cached
    with pytest.raises(jws.BadSignature):
        jws.verify_with_jwk(token, jws.jwk_of_private(other))
    head, _, sig = text.split(".")
    forged = jws.parse_compact(f"{head}.{jws.sign_compact({'iss': 'y'}, key).split('.')[1]}.{sig}")
    with pytest.raises(jws.BadSignature):
        jws.verify_with_jwk(forged, jws.jwk_of_private(key))
    assert _oracle(text, jws.jwk_of_private(other), "ES256") is False


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_non_canonical_base64url_is_refused_as_joserfc_did(segment: int) -> None:
    # A last character with stray low bits decodes to the same bytes: a malleable token.
    key, _ = _keys()["ES256"]
    jwk = jws.jwk_of_private(key)
    original = jws.sign_compact({"iss": "x", "pad": "ab"}, key, headers={"kid": "k1"})
    parts = original.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    text = parts[segment]
    if len(text) % 4 == 0:
        pytest.skip("this segment needs no padding")
    parts[segment] = text[:-1] + alphabet[alphabet.index(text[-1]) + 1]
    token = ".".join(parts)
    assert keys.b64url_decode(parts[segment]) == keys.b64url_decode(text)  # same bytes
    assert _ours(original, jwk) is True
    assert _ours(token, jwk) is _oracle(token, jwk, "ES256") is False


def test_did_key_decoding_is_cached_without_changing_answers() -> None:
    from wallet.issuer.demo import BOOTCAMP, COLLEGE
    from wallet.verify import dids
    from wallet.verify import keys as key_mod

    for issuer in (COLLEGE, BOOTCAMP):
        multikey = issuer.did[len("did:key:") :]
        fresh = key_mod.public_key_from_multikey.__wrapped__(multikey)
        cached = key_mod.public_key_from_multikey(multikey)
        assert key_mod.jwk_from_public_key(cached) == key_mod.jwk_from_public_key(fresh)
        assert dids._did_key_document(issuer.did) == dids._did_key_document(issuer.did)
    broken = COLLEGE.did[len("did:key:") :][:-1] + "0"  # 0 is not base58
    for _ in range(2):  # a refusal is never cached as an answer
        with pytest.raises((MalformedInput, UnsupportedInput)):
            key_mod.public_key_from_multikey(broken)
