"""Reading an OpenID4VP 1.0 authorization request: the link (``openid4vp://``, an https
link, or a bare query), its parameters by value, a request object by value (``request``)
or by reference (``request_uri``, fetched under the network rules), and the verifier's
identity according to its client identifier prefix (section 5.9.3):

- ``redirect_uri:`` unsigned only; the identity is just where the answer goes;
- ``decentralized_identifier:`` signed by a key of the DID (did:key, did:jwk offline;
  did:web fetched through the network layer), verified;
- ``x509_san_dns:`` / ``x509_hash:`` signed by the leaf of ``x5c``; verified only when
  the chain reaches a trust anchor the user gave, otherwise shown as unverified.

Anything else (other prefixes, response modes, transaction data) is refused in one line.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wallet.errors import (
    InputTooLarge,
    MalformedInput,
    NetworkError,
    UnsupportedInput,
    WalletError,
)
from wallet.exchange.net import Http, NetPolicy, check_url
from wallet.exchange.oid4vp import dcql, x509
from wallet.jsonguard import load_json, load_json_object
from wallet.verify import dids, jws
from wallet.verify.context import CachedDocument, DocumentCache, VerifyContext

JAR_TYP = "oauth-authz-req+jwt"
MAX_LINK_CHARS = 64 * 1024
MAX_REQUEST_OBJECT = 256 * 1024
# The wallet's capabilities, sent with request_uri_method=post (section 5.10).
WALLET_METADATA = {
    "vp_formats_supported": {
        dcql.SD_JWT: {
            "sd-jwt_alg_values": ["EdDSA", "ES256"],
            "kb-jwt_alg_values": ["EdDSA", "ES256"],
        },
        dcql.LDP_VC: {
            "proof_type_values": ["DataIntegrityProof"],
            "cryptosuite_values": ["eddsa-rdfc-2022"],
        },
        dcql.JWT_VC: {"alg_values": ["EdDSA"]},
    },
    "client_id_prefixes_supported": [
        "redirect_uri",
        "decentralized_identifier",
        "x509_san_dns",
        "x509_hash",
    ],
    "request_object_signing_alg_values_supported": sorted(jws.ALLOWED_ALGS),
}
# Section 5.2: nonce and state hold only URL-safe ASCII.
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]{1,512}")
SCHEMES = ("openid4vp://", "haip-vp://", "eudi-openid4vp://", "mdoc-openid4vp://")


@dataclass(frozen=True)
class VerifierIdentity:
    client_id: str  # the full client identifier, prefix included: the audience of the answer
    prefix: str
    verified: bool
    how: str  # one line: how it was (or was not) verified
    name: str | None = None  # client_metadata.client_name: the verifier's own claim


@dataclass(frozen=True)
class AuthorizationRequest:
    verifier: VerifierIdentity
    response_uri: str
    nonce: str
    state: str | None
    query: dcql.Query
    dcql_json: dict[str, Any] = field(repr=False)
    client_metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    signed: bool = False
    fetched_from: str | None = None  # the request_uri, when the request was fetched

    @property
    def purposes(self) -> list[str]:
        return self.query.purposes


def looks_like_request(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered.startswith(SCHEMES):
        return True
    if lowered.startswith(("https://", "http://")):
        names = {k for k, _ in parse_qsl(urlsplit(text.strip()).query)}
        return "client_id" in names and bool(names & {"request_uri", "request", "dcql_query"})
    return False


def link_params(link: str) -> dict[str, str]:
    """The parameters of a request link; refused when it is huge or repeats a parameter."""
    text = link.strip()
    if len(text) > MAX_LINK_CHARS:
        raise InputTooLarge(
            f"the request link is {len(text):,} characters, more than the {MAX_LINK_CHARS:,} limit"
        )
    query = urlsplit(text).query if "?" in text else text
    pairs = parse_qsl(query, keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise MalformedInput(f"the request repeats the parameter {name}")
        params[name] = value
    if "client_id" not in params:
        raise MalformedInput("not an OpenID4VP request: it names no client_id")
    return params


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return load_json(value)
        except MalformedInput as exc:
            raise MalformedInput(
                f"the request parameter {name} is not JSON: {exc.message}"
            ) from None
    return value


class _Overlay:
    """The wallet's cache with documents fetched for this request on top (not stored)."""

    def __init__(self, base: DocumentCache, extra: dict[str, CachedDocument]) -> None:
        self._base = base
        self._extra = extra

    def get(self, url: str) -> CachedDocument | None:
        return self._extra.get(url) or self._base.get(url)


def _fetch_request_object(params: dict[str, str], http: Http) -> tuple[str, dict[str, str]]:
    """The request object at request_uri; the wallet nonce sent, if any."""
    uri = params["request_uri"]
    check_url(uri)
    method = params.get("request_uri_method", "get")
    accept = {"Accept": f"application/{JAR_TYP}"}
    sent: dict[str, str] = {}
    if method == "post":
        sent = {
            "wallet_metadata": json.dumps(WALLET_METADATA),
            "wallet_nonce": secrets.token_urlsafe(16),
        }
        response = http.post_form(uri, sent, headers=accept)
    elif method == "get":
        response = http.get(uri, accept=accept["Accept"])
    else:
        raise MalformedInput(f"request_uri_method must be get or post, not {method[:20]!r}")
    if not response.ok:
        raise NetworkError(f"the verifier's request_uri {uri} answered HTTP {response.status}")
    try:
        text = response.content.decode("ascii").strip()
    except UnicodeDecodeError:
        raise MalformedInput(f"what {uri} returned is not a signed request object") from None
    return text, sent


def _decode_jar(text: str) -> jws.CompactJWS:
    try:
        token = jws.parse_compact(text)
    except MalformedInput as exc:
        raise MalformedInput(f"the request object is not a JWT: {exc.message}") from None
    if token.header.get("typ") != JAR_TYP:
        raise MalformedInput(
            f"the request object's typ is {token.header.get('typ')!r}, not {JAR_TYP}"
        )
    return token


def _did_identity(
    client_id: str, token: jws.CompactJWS | None, ctx: VerifyContext, http: Http
) -> VerifierIdentity:
    did = client_id.removeprefix("decentralized_identifier:")
    if not did.startswith("did:"):
        raise MalformedInput(f"{client_id} does not hold a DID")
    if token is None:
        raise MalformedInput("a decentralized_identifier: request must be signed; this one is not")
    kid = token.header.get("kid")
    if not isinstance(kid, str) or dids.did_of(kid) != did:
        raise jws.BadSignature(
            f"the request is signed with key {str(kid)[:80]!r}, which is not one of {did}"
        )
    ctx = _with_did_web(did, ctx, http)
    try:
        method = _authorised_key(kid, ctx)
        jws.check_header(token.header)
        jws.verify_with_jwk(token, method.jwk())
    except dids.KeyNotAvailable as exc:
        raise jws.BadSignature(
            f"the request's signature cannot be checked: {exc.message}"
        ) from None
    except jws.BadSignature as exc:
        raise jws.BadSignature(f"the request's signature does not verify: {exc.message}") from None
    except WalletError as exc:
        raise jws.BadSignature(f"the request's signing key is not usable: {exc.message}") from None
    return VerifierIdentity(client_id, "decentralized_identifier", True, f"signed by {did}")


def _authorised_key(kid: str, ctx: VerifyContext) -> dids.VerificationMethod:
    try:
        return dids.resolve_verification_method(kid, ctx, purpose="authentication")
    except dids.KeyNotAuthorised:
        return dids.resolve_verification_method(kid, ctx, purpose="assertionMethod")


def _with_did_web(did: str, ctx: VerifyContext, http: Http) -> VerifyContext:
    if not did.startswith("did:web:"):
        return ctx
    url = dids.did_web_url(did)
    if ctx.cache.get(url) is not None:
        return ctx
    response = http.get(url, accept="application/did+json, application/json")
    if not response.ok:
        raise NetworkError(f"the verifier's DID document {url} answered HTTP {response.status}")
    document = CachedDocument(url, response.content, ctx.now)
    return VerifyContext(
        _Overlay(ctx.cache, {url: document}), ctx.trust, ctx.now, ctx.status_stale_after
    )


def _identity(
    client_id: str,
    token: jws.CompactJWS | None,
    response_uri: str,
    ctx: VerifyContext,
    http: Http,
    anchors: list[x509.Certificate],
) -> VerifierIdentity:
    prefix, sep, rest = client_id.partition(":")
    if not sep or not rest:
        raise UnsupportedInput(
            f"the verifier {client_id[:80]!r} is a pre-registered client this wallet does not know"
        )
    if prefix == "redirect_uri":
        if token is not None:
            raise MalformedInput("a redirect_uri: request must not be signed (section 5.9.3)")
        if rest != response_uri:
            raise MalformedInput(
                f"the client id {client_id} does not match the response_uri {response_uri}"
            )
        host = urlsplit(response_uri).hostname or response_uri
        return VerifierIdentity(
            client_id,
            prefix,
            False,
            f"not verified: an unsigned request; the answer goes to {host}",
        )
    if prefix == "decentralized_identifier":
        return _did_identity(client_id, token, ctx, http)
    if prefix in ("x509_san_dns", "x509_hash"):
        if token is None:
            raise MalformedInput(f"an {prefix}: request must be signed; this one is not")
        verified, how = x509.check_request(prefix, rest, token, response_uri, anchors, ctx.now)
        return VerifierIdentity(client_id, prefix, verified, how)
    raise UnsupportedInput(f"the client identifier prefix {prefix!r} is not supported")


def _check_times(claims: dict[str, Any], now: datetime) -> None:
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp < now.timestamp():
        raise MalformedInput("the request object has expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and nbf > now.timestamp() + 60:
        raise MalformedInput("the request object is not valid yet")


def _checked_value(params: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = params.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _URL_SAFE.fullmatch(value):
        raise MalformedInput(f"the request's {name} is missing or not URL-safe text")
    return value


def read(
    link: str, http: Http, ctx: VerifyContext, anchors: list[x509.Certificate] | None = None
) -> AuthorizationRequest:
    """The request a link stands for, its signature and client identifier checked."""
    outer = link_params(link)
    token: jws.CompactJWS | None = None
    fetched_from = None
    sent: dict[str, str] = {}
    if "request" in outer or "request_uri" in outer:
        if "request" in outer:
            text = outer["request"]
        else:
            fetched_from = outer["request_uri"]
            text, sent = _fetch_request_object(outer, http)
        token = _decode_jar(text)
        params: dict[str, Any] = token.payload_json("request object")
        # Section 5.10.1: only the request object's parameters count, and its client_id
        # must be the one the link named (including the prefix).
        if params.get("client_id") != outer["client_id"]:
            raise MalformedInput("the request object's client_id is not the one the link names")
        if sent.get("wallet_nonce") and params.get("wallet_nonce") != sent["wallet_nonce"]:
            raise MalformedInput("the request object does not carry the wallet_nonce we sent")
        _check_times(params, ctx.now)
    else:
        params = dict(outer)
    return _validated(params, token, fetched_from, http, ctx, anchors or [])


def _validated(
    params: dict[str, Any],
    token: jws.CompactJWS | None,
    fetched_from: str | None,
    http: Http,
    ctx: VerifyContext,
    anchors: list[x509.Certificate],
) -> AuthorizationRequest:
    if params.get("response_type") != "vp_token":
        raise UnsupportedInput(
            f"response_type {params.get('response_type')!r} is not supported (vp_token)"
        )
    mode = params.get("response_mode")
    if mode != "direct_post":
        raise UnsupportedInput(
            f"response_mode {mode!r} is not supported; this wallet answers with direct_post"
        )
    if "transaction_data" in params:
        raise UnsupportedInput(
            "the request carries transaction_data, which this wallet does not support"
        )
    if "redirect_uri" in params:
        raise MalformedInput("a direct_post request must not carry redirect_uri")
    if "scope" in params and "dcql_query" not in params:
        raise UnsupportedInput("the request names a scope instead of a DCQL query (not supported)")
    if "scope" in params:
        raise MalformedInput("the request has both a scope and a DCQL query")
    response_uri = params.get("response_uri")
    client_id = params.get("client_id")
    if not isinstance(response_uri, str) or not isinstance(client_id, str):
        raise MalformedInput("the request needs a client_id and a response_uri")
    check_url(response_uri)  # https, or http only to this machine
    nonce = _checked_value(params, "nonce", required=True)
    state = _checked_value(params, "state", required=False)
    query_json = _json_param(params, "dcql_query")
    query = dcql.parse_query(query_json)
    metadata = _json_param(params, "client_metadata") or {}
    if not isinstance(metadata, dict):
        raise MalformedInput("client_metadata must be a JSON object")
    identity = _identity(client_id, token, response_uri, ctx, http, anchors)
    name = metadata.get("client_name")
    if isinstance(name, str) and name.strip():
        identity = VerifierIdentity(
            identity.client_id, identity.prefix, identity.verified, identity.how, name.strip()[:200]
        )
    assert nonce is not None
    return AuthorizationRequest(
        identity,
        response_uri,
        nonce,
        state,
        query,
        query_json,
        metadata,
        token is not None,
        fetched_from,
    )


def request_policy() -> NetPolicy:
    """Section 13.5: requests to the verifier never follow redirects; small bodies only."""
    return NetPolicy(max_redirects=0, max_bytes=MAX_REQUEST_OBJECT)


def decode_object(text: str) -> dict[str, Any]:
    """The payload of a request object, unverified (for display in tests and tools)."""
    return load_json_object(_decode_jar(text).payload, what="request object")
