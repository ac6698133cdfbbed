"""The one place that decides whether a key is proven to belong to an issuer.

ARCHITECTURE.md section 4: a signature counts only when its key belongs to the issuer the
credential names, and only the issuer's own documents can say so:

- a DID issuer: its DID document (the method is the DID's own and listed under the
  relationship, e.g. ``assertionMethod``);
- an https issuer: its profile cached at its own id URL that lists the method
  (``assertionMethod``/``verificationMethod`` entries, or OB 2.0 ``publicKey``); its
  origin's ``/.well-known/jwt-vc-issuer`` metadata (whose ``issuer`` is exactly the
  issuer) with its JWKS; or a ``did:web`` on the issuer's own origin (same host and port).

Anything less raises ``KeyNotProven`` (a KeyNotAvailable: the check is ``not_checked``),
whose message names the URL to cache. A key proven to belong to someone else raises
``dids.KeyNotAuthorised`` (the check fails).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from wallet.errors import MalformedInput
from wallet.jsonguard import load_json
from wallet.verify import dids, memo
from wallet.verify.context import DocumentCache, VerifyContext


class KeyNotProven(dids.KeyNotAvailable):
    """Nothing offline proves that the key belongs to the named issuer."""

    code = "key_not_proven"


@dataclass(frozen=True)
class ProvenMethod:
    """A verification method, and how it was proven to be the issuer's."""

    method: dids.VerificationMethod
    source: str


@dataclass(frozen=True)
class ProvenJwk:
    jwk: dict[str, Any]
    source: str


# -- origins and cached documents ----------------------------------------------------------------


def https_origin(url: str | None) -> str | None:
    """``host:port`` of an https URL with a host, else None (http, urn:, junk)."""
    if not url:
        return None
    # Only text is memoised: a non-string from untrusted JSON is not hashable.
    return _https_origin(url) if isinstance(url, str) else _origin_of(cast(str, url))


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return None
    return f"{parts.hostname.lower()}:{port}"


# A pure function of the text, asked for every credential of an issuer.
_https_origin = functools.lru_cache(maxsize=512)(_origin_of)


def did_web_origin(did: str) -> str | None:
    """The https origin a did:web document lives on, or None for other DIDs."""
    if not did.startswith("did:web:"):
        return None
    try:
        return https_origin(dids.did_web_url(did))
    except MalformedInput:
        return None


def cached_object(cache: DocumentCache, url: str | None) -> dict[str, Any] | None:
    """The JSON object cached at ``url``; None when absent or not a JSON object."""
    if not url:
        return None
    doc = cache.get(url)
    return None if doc is None else _object_of(doc.data)


def _object_of(data: bytes) -> dict[str, Any] | None:
    """The JSON object ``data`` holds; None when it is not one (or not JSON)."""
    try:
        value = load_json(data)
    except MalformedInput:
        return None
    return value if isinstance(value, dict) else None


def cached_profile(issuer: str, ctx: VerifyContext) -> dict[str, Any] | None:
    """The issuer's profile cached at its own id URL, if it says it is that issuer's."""
    for url in dict.fromkeys((issuer, issuer.split("#", 1)[0])):
        profile = cached_object(ctx.cache, url)
        if profile is not None and profile.get("id") == issuer:
            return profile
    return None


def _absolute(ref: str, base: str) -> str:
    return base.split("#", 1)[0] + ref if ref.startswith("#") else ref


def profile_lists(profile: Mapping[str, Any], issuer: str, key_id: str, purpose: str) -> bool:
    """The profile names ``key_id`` as one of the issuer's keys."""
    for field in (purpose, "verificationMethod", "publicKey"):
        value = profile.get(field)
        for item in value if isinstance(value, list) else [value]:
            ref = item.get("id") if isinstance(item, dict) else item
            if isinstance(ref, str) and _absolute(ref, issuer) == key_id:
                return True
    return False


# -- Data Integrity proofs: a verification method named by URL -----------------------------------


def prove_method(
    vm_id: str, issuer: str | None, ctx: VerifyContext, *, purpose: str = "assertionMethod"
) -> ProvenMethod:
    """The method ``vm_id`` (a DID URL), proven to be a key of ``issuer`` for ``purpose``.

    Raises KeyNotProven / dids.KeyNotAvailable (not_checked) or dids.KeyNotAuthorised.
    """
    if not issuer:
        raise KeyNotProven("the credential names no issuer the key could belong to")
    did = dids.did_of(vm_id)
    if issuer.startswith("did:"):
        if did != issuer:
            raise dids.KeyNotAuthorised(
                f"signed by {did}: the key belongs to it, not to the issuer {issuer}"
            )
        method = dids.resolve_verification_method(vm_id, ctx, purpose=purpose)
        return ProvenMethod(method, f"the DID document of {issuer}")
    origin = https_origin(issuer)
    if origin is None:
        raise KeyNotProven(
            f"the issuer {issuer} is neither a DID nor an https URL: "
            f"nothing can prove that {vm_id} is its key"
        )
    if did_web_origin(did) == origin:
        method = dids.resolve_verification_method(vm_id, ctx, purpose=purpose)
        return ProvenMethod(method, f"{did} on the issuer's own origin")
    profile = cached_profile(issuer, ctx)
    if profile is not None and profile_lists(profile, issuer, vm_id, purpose):
        method = dids.resolve_verification_method(vm_id, ctx, purpose=purpose)
        return ProvenMethod(method, f"the issuer's profile at {issuer}")
    if profile is None:
        raise KeyNotProven(
            f"the key {vm_id} is not proven to belong to the issuer {issuer}: "
            f"cache the issuer's profile at {issuer} (it must list the key)"
        )
    raise KeyNotProven(
        f"the key {vm_id} is not proven to belong to the issuer {issuer}: "
        f"its cached profile at {issuer} does not list it"
    )


# -- JWS: a key named by kid for an iss ----------------------------------------------------------


@functools.lru_cache(maxsize=512)
def metadata_url(iss: str) -> str:
    """SD-JWT VC issuer metadata: the well-known segment goes between host and path."""
    parts = urlsplit(iss)
    path = parts.path.rstrip("/")
    return f"https://{parts.netloc}/.well-known/jwt-vc-issuer{path}"


# A cached document's bytes -> the JSON object they hold: issuer metadata and JWKS are read
# for every credential of that issuer. Keyed on the bytes themselves, so a refreshed or
# replaced document is read afresh; small documents only, a few kept. The values are only
# read here (a key handed out is a copy).
_read: dict[bytes, dict[str, Any]] = {}
MAX_READ = 64
MAX_READ_BYTES = 64 * 1024


def _cached_keys_object(cache: DocumentCache, url: str | None) -> dict[str, Any] | None:
    """cached_object(cache, url), remembered for small documents."""
    doc = cache.get(url) if url else None
    if doc is None:
        return None
    data = doc.data
    found = _read.get(data)
    if found is not None:
        return found
    value = _object_of(data)  # the document just looked up, not a second cache.get
    if value is not None and len(data) <= MAX_READ_BYTES:
        memo.keep(_read, data, value, MAX_READ)
    return value


def _https_jwks(iss: str, ctx: VerifyContext) -> tuple[list[dict[str, Any]], str]:
    """The issuer's keys and where they came from, from its origin's documents only."""
    url = metadata_url(iss)
    metadata = _cached_keys_object(ctx.cache, url)
    jwks: Any = None
    source = url
    if metadata is not None:
        named = metadata.get("issuer")
        if named is None:
            raise KeyNotProven(f"the cached issuer metadata at {url} names no issuer")
        if named != iss:
            # SD-JWT VC: the metadata's issuer MUST be identical to iss.
            raise dids.KeyNotAuthorised(f"the cached issuer metadata at {url} is for {named}")
        jwks = metadata.get("jwks")
        uri = metadata.get("jwks_uri")
        if jwks is not None and uri is not None:
            raise dids.KeyNotAuthorised(f"the issuer metadata at {url} has both jwks and jwks_uri")
        if jwks is None and uri is not None:
            # The metadata, found on the issuer's own origin, names where its keys are.
            if not isinstance(uri, str) or https_origin(uri) is None:
                raise dids.KeyNotAuthorised(f"the issuer metadata at {url} has a bad jwks_uri")
            jwks = _cached_keys_object(ctx.cache, uri)
            source = uri
            if jwks is None:
                raise KeyNotProven(f"the keys of {iss} are not cached: cache {uri}")
    if jwks is None:
        fallback = iss.rstrip("/") + "/.well-known/jwks.json"
        jwks = _cached_keys_object(ctx.cache, fallback)
        source = fallback
    if jwks is None:
        raise KeyNotProven(
            f"the keys of {iss} are not cached: cache its issuer metadata {url} "
            "(or the profile listing a did:web key of its origin)"
        )
    entries = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(entries, list):
        raise MalformedInput(f"the cached JWKS at {source} has no keys array")
    return [k for k in entries if isinstance(k, dict)], source


def _did_vm_for(iss: str, kid: str | None) -> str:
    if kid and kid.startswith("did:"):
        return kid
    if kid:
        return f"{iss}{kid}" if kid.startswith("#") else f"{iss}#{kid}"
    if iss.startswith("did:key:"):
        return f"{iss}#{iss[len('did:key:') :]}"
    if iss.startswith("did:jwk:"):
        return f"{iss}#0"
    return iss


def prove_jws_key(header: Mapping[str, Any], iss: str | None, ctx: VerifyContext) -> ProvenJwk:
    """The public JWK that must have signed a JWS of ``iss``, proven to be ``iss``'s.

    Keys embedded in the header (jwk, x5c) are never taken on their own word.
    """
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise dids.KeyNotAuthorised("kid must be a string")
    if not iss:
        if "jwk" in header or "x5c" in header:
            raise KeyNotProven("only a key embedded in the header names the signer")
        raise KeyNotProven("the JWS names no issuer whose key could be looked up")
    if iss.startswith("did:") or (kid and kid.startswith("did:")):
        proven = prove_method(_did_vm_for(iss, kid), iss, ctx)
        return ProvenJwk(proven.method.jwk(), proven.source)
    if https_origin(iss) is None:
        raise KeyNotProven(f"the issuer {iss} is neither a DID nor an https URL")
    entries, source = _https_jwks(iss, ctx)
    if kid:
        matches = [k for k in entries if k.get("kid") == kid]
        if not matches:
            raise dids.KeyNotAuthorised(f"the issuer {iss} publishes no key with kid {kid}")
        return ProvenJwk(dict(matches[0]), source)
    if len(entries) == 1:
        return ProvenJwk(dict(entries[0]), source)
    raise dids.KeyNotAuthorised("the JWS has no kid and the issuer publishes several keys")


# -- Open Badges 2.0: a CryptographicKey named by verification.creator ---------------------------


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""


def prove_ob2_key(creator: str, issuer: str, owner: str | None, ctx: VerifyContext) -> str:
    """How the OB 2.0 key ``creator`` (whose key document claims ``owner``) is proven to be
    ``issuer``'s: listed as publicKey in the issuer's profile cached at its id, or hosted on
    the issuer id's own host. A key document's owner claim alone proves nothing: anyone
    can host a key that claims to belong to someone else."""
    if owner is not None and owner != issuer:
        raise dids.KeyNotAuthorised(f"key {creator} belongs to {owner}, not {issuer}")
    profile = cached_profile(issuer, ctx)
    if profile is not None and profile_lists(profile, issuer, creator, "publicKey"):
        return f"listed in the issuer's profile at {issuer}"
    if _host(creator) != "" and _host(creator) == _host(issuer):
        return f"hosted on the issuer's own host {_host(issuer)}"
    if profile is not None:
        raise dids.KeyNotAuthorised(f"key {creator} is not published by issuer {issuer}")
    raise KeyNotProven(
        f"key {creator} is not proven to belong to the issuer {issuer}: "
        f"cache the issuer's profile at {issuer} (it must list the key as publicKey)"
    )
