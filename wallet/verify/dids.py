"""DID resolution for verification, offline: did:key and did:jwk are self-describing;
did:web documents come only from the cache the network layer filled.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import base58
from cryptography.hazmat.primitives.asymmetric import ed25519

from wallet.errors import MalformedInput, UnsupportedInput, WalletError
from wallet.jsonguard import load_json_object
from wallet.verify import keys
from wallet.verify.context import VerifyContext


class KeyNotAvailable(WalletError):
    """The key cannot be had offline (not cached): the check is not_checked, not failed."""

    code = "key_not_available"
    exit_code = 1


class KeyNotAuthorised(WalletError):
    """The key exists but may not be used for this purpose, or belongs to another DID."""

    code = "key_not_authorised"
    exit_code = 1


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    controller: str
    type: str
    public_key: keys.PublicKey
    # The key as a public JWK, when resolution had it at no cost (else computed on demand).
    known_jwk: dict[str, str] | None = None

    def jwk(self) -> dict[str, Any]:
        if self.known_jwk is not None:
            return dict(self.known_jwk)
        return keys.jwk_from_public_key(self.public_key)


def did_of(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def did_web_url(did: str) -> str:
    """The https URL of a did:web document (did:web:host%3Aport:path -> https://host:port/path/did.json)."""
    parts = did.split(":")
    if len(parts) < 3 or parts[0] != "did" or parts[1] != "web" or not parts[2]:
        raise MalformedInput(f"not a did:web identifier: {did}")
    host = unquote(parts[2])
    if "/" in host or "@" in host:
        raise MalformedInput(f"invalid did:web host in {did}")
    path = "/".join(unquote(p) for p in parts[3:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def resolve_did_document(did: str, ctx: VerifyContext) -> dict[str, Any]:
    if did.startswith("did:key:"):
        return _did_key_document(did)
    if did.startswith("did:jwk:"):
        return _did_jwk_document(did)
    if did.startswith("did:web:"):
        url = did_web_url(did)
        cached = ctx.cache.get(url)
        if cached is None:
            raise KeyNotAvailable(f"the DID document of {did} is not cached ({url})")
        doc = load_json_object(cached.data, what="DID document")
        if doc.get("id") != did:
            raise KeyNotAuthorised(f"the cached DID document at {url} is for {doc.get('id')!r}")
        return doc
    method = did.split(":")[1] if did.count(":") >= 2 else did
    raise KeyNotAvailable(f"DID method {method!r} cannot be resolved offline")


@functools.lru_cache(maxsize=256)
def _canonical_multikey(multikey: str) -> str:
    return keys.multikey_from_public_key(keys.public_key_from_multikey(multikey))


def _did_key_document(did: str) -> dict[str, Any]:
    multikey = did[len("did:key:") :]
    vm_id = f"{did}#{multikey}"
    vm = {
        "id": vm_id,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": _canonical_multikey(multikey),
    }
    refs = [vm_id]
    return {
        "id": did,
        "verificationMethod": [vm],
        "assertionMethod": refs,
        "authentication": refs,
        "capabilityInvocation": refs,
        "capabilityDelegation": refs,
    }


def _did_jwk_document(did: str) -> dict[str, Any]:
    try:
        jwk = json.loads(keys.b64url_decode(did[len("did:jwk:") :]))
    except ValueError:
        raise MalformedInput(f"did:jwk does not hold a JSON JWK: {did[:40]}") from None
    if not isinstance(jwk, dict) or "d" in jwk:
        raise MalformedInput("did:jwk must hold a public JWK")
    vm_id = f"{did}#0"
    vm = {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    refs = [vm_id]
    return {"id": did, "verificationMethod": [vm], "assertionMethod": refs, "authentication": refs}


def _absolute(ref: str, did: str) -> str:
    return did + ref if ref.startswith("#") else ref


@functools.lru_cache(maxsize=256)
def _multibase_key(multibase: str) -> tuple[keys.PublicKey, tuple[tuple[str, str], ...]]:
    # A pure function of the text, like public_key_from_multikey: the base58 decoding and
    # the key's JWK form are made once per key, not once per verification.
    raw = keys.multibase_decode(multibase)
    if len(raw) == 32:  # Ed25519VerificationKey2018 style: the bare key, no multicodec
        key: keys.PublicKey = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    else:
        key = keys.public_key_from_multikey(multibase)
    return key, tuple(keys.jwk_from_public_key(key).items())


def _vm_key(vm: dict[str, Any]) -> tuple[keys.PublicKey, dict[str, str] | None]:
    """The method's key, and its public JWK when that was had for free."""
    multibase = vm.get("publicKeyMultibase")
    if isinstance(multibase, str):
        key, jwk = _multibase_key(multibase)
        return key, dict(jwk)
    if isinstance(vm.get("publicKeyJwk"), dict):
        return keys.public_key_from_jwk(vm["publicKeyJwk"]), None
    base58_key = vm.get("publicKeyBase58")
    if isinstance(base58_key, str):
        try:
            return ed25519.Ed25519PublicKey.from_public_bytes(base58.b58decode(base58_key)), None
        except ValueError:
            raise MalformedInput(f"verification method {vm.get('id')} has a bad key") from None
    raise UnsupportedInput(f"verification method {vm.get('id')} has no supported key format")


def resolve_verification_method(
    vm_id: str, ctx: VerifyContext, *, purpose: str = "assertionMethod"
) -> VerificationMethod:
    """The key behind a DID URL, checked to be authorised for ``purpose`` by its DID."""
    if not isinstance(vm_id, str) or not vm_id.startswith("did:"):
        raise KeyNotAvailable(f"verification method {vm_id!r} is not a DID URL")
    did = did_of(vm_id)
    doc = resolve_did_document(did, ctx)
    if did.startswith("did:key:") and "#" in vm_id and vm_id.split("#", 1)[1] != did[8:]:
        raise KeyNotAuthorised(f"{vm_id} is not the key of {did}")
    methods: dict[str, dict[str, Any]] = {}
    for item in _as_list(doc.get("verificationMethod")):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            methods[_absolute(item["id"], did)] = item
    authorised: set[str] = set()
    for item in _as_list(doc.get(purpose)):
        if isinstance(item, str):
            authorised.add(_absolute(item, did))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            ref = _absolute(item["id"], did)
            authorised.add(ref)
            methods.setdefault(ref, item)
    target = vm_id if "#" in vm_id else next(iter(sorted(authorised)), vm_id)
    vm = methods.get(target)
    if vm is None:
        raise KeyNotAuthorised(f"{vm_id} is not a verification method of {did}")
    if target not in authorised:
        raise KeyNotAuthorised(f"{vm_id} is not authorised for {purpose} by {did}")
    controller = vm.get("controller", did)
    if controller != did:
        raise KeyNotAuthorised(f"{vm_id} is controlled by {controller}, not {did}")
    public_key, jwk = _vm_key(vm)
    return VerificationMethod(target, did, str(vm.get("type", "")), public_key, jwk)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
