"""Keys, DID resolution and the suites' sign side, checked against the W3C key pairs and
signed vectors (Ed25519 is deterministic, so our signatures must equal the published ones)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from tests.jsonld.conftest import VECTORS
from wallet.errors import MalformedInput, UnsupportedInput, WalletError
from wallet.model import CheckStatus
from wallet.verify import dids, keys, suites
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

EDDSA = VECTORS / "w3c-vc-di-eddsa" / "TestVectors"
ECDSA = VECTORS / "w3c-vc-di-ecdsa" / "TestVectors"
P, F, N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_CHECKED

# multicodec varints: ed25519-priv 0x1300, p256-priv 0x1306, p384-priv 0x1307
PRIVATE_PREFIX = {b"\x80\x26": None, b"\x86\x26": ec.SECP256R1(), b"\x87\x26": ec.SECP384R1()}


def load(path: Any) -> dict[str, Any]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def private_key(pair: dict[str, str]) -> ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
    secret = pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]
    raw = base58.b58decode(secret[1:])
    curve = PRIVATE_PREFIX[raw[:2]]
    if curve is None:
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])
    return ec.derive_private_key(int.from_bytes(raw[2:], "big"), curve)


PAIRS = {
    "ed25519": EDDSA / "keyPair.json",
    "p256": ECDSA / "p256KeyPair.json",
    "p384": ECDSA / "p384KeyPair.json",
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_multikey_of_the_published_key_pairs(name: str) -> None:
    pair = load(PAIRS[name])
    public = private_key(pair).public_key()
    assert keys.multikey_from_public_key(public) == pair["publicKeyMultibase"]
    decoded = keys.public_key_from_multikey(pair["publicKeyMultibase"])
    assert keys.multikey_from_public_key(decoded) == pair["publicKeyMultibase"]
    assert keys.did_key_from_public_key(public) == "did:key:" + pair["publicKeyMultibase"]
    # JWK round trip lands on the same key.
    jwk = keys.jwk_from_public_key(public)
    assert "d" not in jwk
    assert (
        keys.multikey_from_public_key(keys.public_key_from_jwk(jwk)) == pair["publicKeyMultibase"]
    )


def test_multikey_prefixes_are_the_registered_ones() -> None:
    assert load(PAIRS["ed25519"])["publicKeyMultibase"].startswith("z6Mk")
    assert load(PAIRS["p256"])["publicKeyMultibase"].startswith("zDna")
    assert load(PAIRS["p384"])["publicKeyMultibase"].startswith("z82")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", MalformedInput),
        ("z0OIl", MalformedInput),  # not base58 characters
        ("uAAAA", UnsupportedInput),  # base64url multibase: not used by these suites
        ("z" + base58.b58encode(b"\xed\x01" + b"\x00" * 5).decode(), MalformedInput),
        ("z" + base58.b58encode(b"\x80\x24" + b"\x02" + b"\x00" * 3).decode(), MalformedInput),
        (
            "z" + base58.b58encode(b"\xe7\x01" + b"\x02" * 33).decode(),
            UnsupportedInput,
        ),  # secp256k1
    ],
)
def test_bad_multikeys_raise_wallet_errors(value: str, error: type[WalletError]) -> None:
    with pytest.raises(error):
        keys.public_key_from_multikey(value)


@pytest.mark.parametrize(
    "jwk",
    [
        {},
        {"kty": "OKP", "crv": "Ed25519", "x": "!!"},
        {"kty": "OKP", "crv": "X25519", "x": "AAAA"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "oct", "k": "AAAA"},
        "not a dict",
    ],
)
def test_bad_jwks_raise_wallet_errors(jwk: Any) -> None:
    with pytest.raises(WalletError):
        keys.public_key_from_jwk(jwk)


@pytest.mark.parametrize(
    ("did", "url"),
    [  # the examples of the did:web method specification
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ],
)
def test_did_web_urls(did: str, url: str) -> None:
    assert dids.did_web_url(did) == url


def test_did_key_p384_and_did_jwk_resolve_for_both_purposes() -> None:
    multikey = load(PAIRS["p384"])["publicKeyMultibase"]
    did = f"did:key:{multikey}"
    for purpose in ("assertionMethod", "authentication"):
        vm = dids.resolve_verification_method(f"{did}#{multikey}", VerifyContext(), purpose=purpose)
        assert vm.controller == did
        assert isinstance(vm.public_key, ec.EllipticCurvePublicKey)
        assert vm.public_key.curve.name == "secp384r1"
    public = private_key(load(PAIRS["p256"])).public_key()
    jwk_did = "did:jwk:" + keys.b64url(json.dumps(keys.jwk_from_public_key(public)).encode())
    vm = dids.resolve_verification_method(jwk_did + "#0", VerifyContext())
    assert vm.type == "JsonWebKey2020"
    assert keys.multikey_from_public_key(vm.public_key) == keys.multikey_from_public_key(public)


def test_did_key_with_a_fragment_of_another_key_is_refused() -> None:
    ed = load(PAIRS["ed25519"])["publicKeyMultibase"]
    p256 = load(PAIRS["p256"])["publicKeyMultibase"]
    with pytest.raises(dids.KeyNotAuthorised):
        dids.resolve_verification_method(f"did:key:{ed}#{p256}", VerifyContext())


def test_did_jwk_holding_a_private_key_is_refused() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "A" * 43}
    with pytest.raises(MalformedInput):
        dids.resolve_verification_method(
            "did:jwk:" + keys.b64url(json.dumps(jwk).encode()) + "#0", VerifyContext()
        )


def web_ctx(did: str, document: dict[str, Any]) -> VerifyContext:
    url = dids.did_web_url(did)
    cache = MemoryCache(
        {url: CachedDocument(url, json.dumps(document).encode(), datetime.now(UTC))}
    )
    return VerifyContext(cache=cache)


def test_did_web_key_formats_and_controller_check() -> None:
    did = "did:web:school.test"
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = ed.public_bytes_raw()
    doc: dict[str, Any] = {
        "id": did,
        "verificationMethod": [
            {
                "id": "#k2018",
                "type": "Ed25519VerificationKey2018",
                "controller": did,
                "publicKeyBase58": base58.b58encode(raw).decode(),
            },
            {
                "id": f"{did}#k2020",
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": keys.multikey_from_public_key(ed),
            },
            {
                "id": f"{did}#jwk",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": keys.jwk_from_public_key(p256),
            },
            {
                "id": f"{did}#foreign",
                "type": "Multikey",
                "controller": "did:web:other.test",
                "publicKeyMultibase": keys.multikey_from_public_key(ed),
            },
        ],
        "assertionMethod": ["#k2018", f"{did}#k2020", f"{did}#jwk", f"{did}#foreign"],
    }
    ctx = web_ctx(did, doc)
    for fragment, kind in (
        ("k2018", ed25519.Ed25519PublicKey),
        ("k2020", ed25519.Ed25519PublicKey),
    ):
        vm = dids.resolve_verification_method(f"{did}#{fragment}", ctx)
        assert isinstance(vm.public_key, kind)
        assert vm.public_key.public_bytes_raw() == raw
    assert isinstance(
        dids.resolve_verification_method(f"{did}#jwk", ctx).public_key, ec.EllipticCurvePublicKey
    )
    with pytest.raises(dids.KeyNotAuthorised, match="controlled by"):
        dids.resolve_verification_method(f"{did}#foreign", ctx)
    with pytest.raises(dids.KeyNotAuthorised, match="not a verification method"):
        dids.resolve_verification_method(f"{did}#missing", ctx)
    with pytest.raises(dids.KeyNotAuthorised, match="authentication"):
        dids.resolve_verification_method(f"{did}#k2020", ctx, purpose="authentication")
    with pytest.raises(dids.KeyNotAvailable):
        dids.resolve_verification_method(f"{did}#k2020", VerifyContext())
    # A cached document that claims another DID is not this DID's document.
    with pytest.raises(dids.KeyNotAuthorised):
        dids.resolve_verification_method(
            f"{did}#k2020", web_ctx(did, {**doc, "id": "did:web:x.test"})
        )


def test_unresolvable_did_methods_are_key_not_available() -> None:
    for vm in ("did:example:123#key-1", "did:ion:abc#k", "https://example.com/keys/1"):
        with pytest.raises(dids.KeyNotAvailable):
            dids.resolve_verification_method(vm, VerifyContext())


REPRODUCE = {
    "eddsa-rdfc-2022": EDDSA / "eddsa-rdfc-2022" / "signedDataInt.json",
    "eddsa-jcs-2022": EDDSA / "eddsa-jcs-2022" / "signedJCS.json",
    "Ed25519Signature2020": EDDSA / "Ed25519Signature2020" / "signedEdSig.json",
}


@pytest.mark.usefixtures("examples_context")
@pytest.mark.parametrize("suite", sorted(REPRODUCE))
def test_signing_reproduces_the_published_ed25519_proof(suite: str) -> None:
    published = load(REPRODUCE[suite])
    unsigned = {k: v for k, v in published.items() if k != "proof"}
    proof = published["proof"]
    signed = suites.sign(
        unsigned,
        private_key(load(PAIRS["ed25519"])),
        verification_method=proof["verificationMethod"],
        created=proof["created"],
        cryptosuite=suite,
    )
    assert signed["proof"]["proofValue"] == proof["proofValue"]
    assert "proof" not in unsigned  # sign works on a copy


@pytest.mark.usefixtures("examples_context")
@pytest.mark.parametrize("pair", ["p256", "p384"])
def test_ecdsa_sign_then_verify_with_the_published_keys(pair: str) -> None:
    unsigned = load(ECDSA / "unsigned.json")
    multikey = load(PAIRS[pair])["publicKeyMultibase"]
    signed = suites.sign(
        unsigned,
        private_key(load(PAIRS[pair])),
        verification_method=f"did:key:{multikey}#{multikey}",
        cryptosuite="ecdsa-rdfc-2019",
    )
    size = 64 if pair == "p256" else 96  # raw r||s, not DER
    assert len(base58.b58decode(signed["proof"]["proofValue"][1:])) == size
    assert [c.status for c in suites.verify(signed, VerifyContext())] == [P]
    # The other curve's key under the same DID URL does not verify it.
    other = "p384" if pair == "p256" else "p256"
    om = load(PAIRS[other])["publicKeyMultibase"]
    forged = copy.deepcopy(signed)
    forged["proof"]["verificationMethod"] = f"did:key:{om}#{om}"
    assert [c.status for c in suites.verify(forged, VerifyContext())] == [F]


def holder_key() -> tuple[ed25519.Ed25519PrivateKey, str]:
    key = ed25519.Ed25519PrivateKey.generate()
    did = keys.did_key_from_public_key(key.public_key())
    return key, f"{did}#{did[8:]}"


PRESENTATION = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiablePresentation"],
}


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_authentication_proof_with_challenge_and_domain(cryptosuite: str) -> None:
    key, vm = holder_key()
    vp = suites.sign(
        {**PRESENTATION, "holder": vm.split("#")[0]},
        key,
        verification_method=vm,
        proof_purpose="authentication",
        challenge="nonce-123",
        domain="https://verifier.test",
        cryptosuite=cryptosuite,
    )
    ctx = VerifyContext()

    def status(**kw: Any) -> list[CheckStatus]:
        return [c.status for c in suites.verify(vp, ctx, **kw)]

    good = {"challenge": "nonce-123", "domain": "https://verifier.test"}
    assert status(expected_purpose="authentication", **good) == [P]
    assert status(expected_purpose="authentication", challenge="other") == [F]
    assert status(expected_purpose="authentication", domain="https://evil.test") == [F]
    assert status(expected_purpose="assertionMethod") == [F]  # a login proof is not an issuance
    # The challenge is signed: changing it in the proof breaks the signature.
    replay = copy.deepcopy(vp)
    replay["proof"]["challenge"] = "nonce-456"
    assert [c.status for c in suites.verify(replay, ctx, expected_purpose="authentication")] == [F]


def test_proof_set_needs_every_proof_and_each_is_reported() -> None:
    first, vm1 = holder_key()
    second, vm2 = holder_key()
    doc: dict[str, Any] = {**PRESENTATION, "type": ["VerifiableCredential"]}
    doc["issuer"] = vm1.split("#")[0]
    doc["credentialSubject"] = {"id": "did:example:learner"}
    doc["validFrom"] = "2024-01-01T00:00:00Z"
    signed = suites.sign(doc, first, verification_method=vm1)
    signed = suites.sign(signed, second, verification_method=vm2)
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 2
    assert [c.status for c in suites.verify(signed, VerifyContext())] == [P, P]
    # Bound to the issuer: the second signer is another DID.
    bound = suites.verify(signed, VerifyContext(), expected_controller=vm1.split("#")[0])
    assert [c.status for c in bound] == [P, F]
    broken = copy.deepcopy(signed)
    value = broken["proof"][1]["proofValue"]
    broken["proof"][1]["proofValue"] = value[:-2] + ("11" if value[-2:] != "11" else "22")
    assert [c.status for c in suites.verify(broken, VerifyContext())] == [P, F]


@pytest.mark.parametrize(
    "proof",
    [
        {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
        {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023"},
        {"type": "MerkleProof2019"},
        {"type": "RsaSignature2018"},
        {"type": "DataIntegrityProof", "cryptosuite": 7},
        {},
    ],
)
def test_unsupported_suites_are_not_checked(proof: dict[str, Any]) -> None:
    doc = {
        **PRESENTATION,
        "proof": {**proof, "proofPurpose": "assertionMethod", "proofValue": "z1"},
    }
    checks = suites.verify(doc, VerifyContext())
    assert [c.status for c in checks] == [N]
    assert "not supported" in checks[0].detail


def test_malformed_proofs_fail_without_crashing() -> None:
    key, vm = holder_key()
    signed = suites.sign(PRESENTATION, key, verification_method=vm)
    ctx = VerifyContext()
    for proof_value in (None, 5, "", "abc", "z0OIl", "z" + "1" * 10):
        doc = copy.deepcopy(signed)
        doc["proof"]["proofValue"] = proof_value
        assert [c.status for c in suites.verify(doc, ctx)] == [F]
    assert [c.status for c in suites.verify({**PRESENTATION, "proof": ["x"]}, ctx)] == [F]
    assert [c.status for c in suites.verify(PRESENTATION, ctx)] == [N]
    with pytest.raises(UnsupportedInput):
        suites.sign(PRESENTATION, key, verification_method=vm, cryptosuite="ecdsa-rdfc-2019")
    with pytest.raises(UnsupportedInput):
        suites.sign(PRESENTATION, key, verification_method=vm, cryptosuite="bbs-2023")


def test_an_issuer_proof_past_its_expires_fails() -> None:
    key, vm = holder_key()
    ctx = VerifyContext(now=datetime(2030, 1, 1, tzinfo=UTC))
    live = suites.sign(PRESENTATION, key, verification_method=vm, expires="2031-01-01T00:00:00Z")
    assert [c.status for c in suites.verify(live, ctx)] == [P]
    dead = suites.sign(PRESENTATION, key, verification_method=vm, expires="2029-12-31T23:59:59Z")
    checks = suites.verify(dead, ctx)
    assert [c.status for c in checks] == [F] and "expired" in checks[0].detail
    for bad in ("soon", 12):
        odd = copy.deepcopy(live)
        odd["proof"]["expires"] = bad
        assert [c.status for c in suites.verify(odd, ctx)] == [F]
