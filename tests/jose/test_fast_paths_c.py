"""Fast paths of the VC-JWT work (issue 11), each against the code it replaced as the
oracle: the duplicate-key hook, base64url decoding, and the cached did:key method keys."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet import jsonguard
from wallet.errors import MalformedInput, WalletError
from wallet.verify import dids, keys


def _old_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedInput(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _outcome(fn: Any, *args: Any) -> tuple[bool, Any]:
    try:
        return True, fn(*args)
    except WalletError as exc:
        return False, (type(exc), exc.message)


keys_st = st.sampled_from(["a", "b", "c", "", "é", "a\u0000"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(keys_st, st.integers() | st.none()), max_size=8))
def test_duplicate_hook_matches_the_old_loop(pairs: list[tuple[str, Any]]) -> None:
    new, old = _outcome(jsonguard._no_duplicates, pairs), _outcome(_old_no_duplicates, pairs)
    assert new == old
    if new[0]:  # same keys in the same order
        assert list(new[1].items()) == list(old[1].items())


def test_duplicate_key_named_in_the_error_is_the_first_repeated() -> None:
    with pytest.raises(MalformedInput, match="duplicate JSON key 'b'"):
        jsonguard.load_json('{"a":1,"b":2,"b":3,"a":4}')


_OLD_NOT_B64URL = re.compile(r"[=+/ \n]")


def _old_b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or _OLD_NOT_B64URL.search(text):
        raise MalformedInput("not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise MalformedInput("not base64url text") from None


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=40).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
        st.text(alphabet="AQgw09az_-=+/ \n!.é\t", max_size=12),
    )
)
def test_b64url_decode_matches_the_old_one(text: str) -> None:
    assert _outcome(keys.b64url_decode, text) == _outcome(_old_b64url_decode, text)


def _multikeys() -> list[str]:
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = ed.public_bytes_raw()
    return [
        keys.multikey_from_public_key(ed),
        keys.multikey_from_public_key(p256),
        "z" + base58.b58encode(raw).decode(),  # a bare 32-byte Ed25519 key (2018 style)
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_cached_method_keys_are_what_decoding_gives(index: int) -> None:
    multibase = _multikeys()[index]
    vm = {"id": "did:example:1#k", "publicKeyMultibase": multibase}
    key, jwk = dids._vm_key(vm)
    raw = keys.multibase_decode(multibase)
    expected = (
        ed25519.Ed25519PublicKey.from_public_bytes(raw)
        if len(raw) == 32
        else keys.public_key_from_multikey(multibase)
    )
    assert keys.jwk_from_public_key(key) == keys.jwk_from_public_key(expected) == jwk
    # The caller's copy is its own: changing it leaves the cache alone.
    assert jwk is not None
    jwk["x"] = "changed"
    assert dids._vm_key(vm)[1] == keys.jwk_from_public_key(expected)


def test_bad_multibase_still_fails_every_time() -> None:
    vm = {"id": "did:example:1#k", "publicKeyMultibase": "z0OIl"}  # not base58
    for _ in range(2):
        with pytest.raises(MalformedInput):
            dids._vm_key(vm)


def test_method_jwk_is_computed_when_resolution_had_none() -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    jwk = keys.jwk_from_public_key(key)
    method = dids._vm_key({"id": "did:example:1#k", "publicKeyJwk": jwk})
    assert method[1] is None
    vm = dids.VerificationMethod("did:example:1#k", "did:example:1", "JsonWebKey", method[0])
    assert vm.jwk() == jwk
    assert json.dumps(vm.jwk(), sort_keys=True) == json.dumps(jwk, sort_keys=True)
