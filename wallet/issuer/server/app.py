"""The Starlette application: the issuer's routes over wallet.issuer.server's logic.

``create_app(config)`` returns the app; ``app.state.issuer`` is the Issuer (config, keys,
state store) and ``app.state.misbehaviour`` the test-only fault settings. The example
OpenID4VP verifier is mounted at ``/verifier`` (wallet.issuer.server.verifier).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wallet.errors import NotFound
from wallet.issuer.server import credentials, metadata, ob2, oid4vci, status
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.keys import IssuerKeys
from wallet.issuer.server.misbehaviour import (
    Misbehaviour,
    MisbehaviourMiddleware,
    corrupt_jws,
    corrupt_proof_value,
)
from wallet.issuer.server.state import BITSTRING, OB2, TOKEN, StateStore

MAX_REQUEST_BYTES = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Issuer:
    """One running issuer: what every route needs."""

    config: IssuerConfig
    keys: IssuerKeys
    store: StateStore
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)

    @classmethod
    def load(cls, config: IssuerConfig) -> Issuer:
        return cls(config, IssuerKeys.load(config), StateStore(config.state_dir))

    def offer(
        self, config_ids: list[str], *, tx_code: bool = False, by_reference: bool = False
    ) -> oid4vci.Offer:
        return oid4vci.create_offer(
            self.store,
            self.config,
            config_ids,
            tx_code=tx_code,
            by_reference=by_reference,
            unsupported_config=self.misbehaviour.offer_config,
        )


def _issuer(request: Request) -> Issuer:
    issuer: Issuer = request.app.state.issuer
    return issuer


def _json(data: Any, status_code: int = 200, **kw: Any) -> JSONResponse:
    return JSONResponse(data, status_code=status_code, **kw)


def _error(exc: oid4vci.OAuthError) -> JSONResponse:
    return _json(exc.body(), exc.status, headers={**NO_STORE, **exc.headers})


def _not_found(what: str) -> JSONResponse:
    return _json({"error": "not_found", "error_description": what}, 404)


async def _body(request: Request) -> bytes:
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise oid4vci.OAuthError(413, "invalid_request", "the request body is too large")
    return data


# -- keys and metadata ------------------------------------------------------------------------


async def did_document(request: Request) -> Response:
    issuer = _issuer(request)
    bare = issuer.misbehaviour.did_document_without_key
    doc = issuer.keys.did_document(without_signing_keys=bare)
    return _json(doc, media_type="application/did+json")


async def partner_document(request: Request) -> Response:
    return _json(_issuer(request).keys.partner_document(), media_type="application/did+json")


async def jwt_vc_issuer(request: Request) -> Response:
    issuer = _issuer(request)
    return _json(issuer.keys.jwt_vc_issuer(issuer.config))


async def credential_issuer_metadata(request: Request) -> Response:
    issuer = _issuer(request)
    m = issuer.misbehaviour
    if m.malformed_metadata == "not_json":
        return Response(b"<html><body>Service moved</body></html>", media_type="application/json")
    document = metadata.issuer_metadata(issuer.config, m.offer_config)
    if m.malformed_metadata == "wrong_shape":
        document["credential_configurations_supported"] = list(
            document["credential_configurations_supported"]
        )
        del document["credential_endpoint"]
    elif m.malformed_metadata == "wrong_issuer":
        document["credential_issuer"] = "https://issuer.invalid"
    return _json(document)


async def authorization_server(request: Request) -> Response:
    return _json(metadata.authorization_server_metadata(_issuer(request).config))


async def vct_metadata(request: Request) -> Response:
    issuer = _issuer(request)
    return _json(
        {
            "vct": issuer.config.url("/vct/programme"),
            "name": credentials.PROGRAMME,
            "description": credentials.DESCRIPTION,
            "display": [{"locale": "en-US", "name": credentials.PROGRAMME}],
        },
        media_type="application/json",
    )


# -- OID4VCI ----------------------------------------------------------------------------------


async def offer(request: Request) -> Response:
    issuer = _issuer(request)
    document = oid4vci.stored_offer(issuer.store, issuer.config, request.path_params["offer_id"])
    if document is None:
        return _not_found("no such offer, or it was used or has expired")
    return _json(document, headers=NO_STORE)


async def token(request: Request) -> Response:
    issuer = _issuer(request)
    if issuer.misbehaviour.token_error:
        return _json({"error": "server_error"}, 500, headers=NO_STORE)
    try:
        if request.headers.get("content-type", "").split(";")[0].strip() != (
            "application/x-www-form-urlencoded"
        ):
            raise oid4vci.OAuthError(400, "invalid_request", "the token request must be a form")
        form = oid4vci.parse_form(await _body(request))
        return _json(oid4vci.token(issuer.store, form), headers=NO_STORE)
    except oid4vci.OAuthError as exc:
        return _error(exc)


async def nonce(request: Request) -> Response:
    issuer = _issuer(request)
    if issuer.misbehaviour.c_nonce == "missing":
        return _json({}, headers=NO_STORE)
    return _json({"c_nonce": oid4vci.new_nonce(issuer.store)}, headers=NO_STORE)


async def credential(request: Request) -> Response:
    issuer = _issuer(request)
    m = issuer.misbehaviour
    try:
        grant = oid4vci.authorise(issuer.store, request.headers.get("authorization"))
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise oid4vci.OAuthError(400, "invalid_credential_request", "send application/json")
        try:
            body = json.loads(await _body(request))
        except ValueError:
            raise oid4vci.OAuthError(
                400, "invalid_credential_request", "the body is not JSON"
            ) from None
        config_id, proof = oid4vci.requested_configuration(body, grant)
        holder, nonce_value = oid4vci.check_proof(proof, issuer.config.base_url)
        oid4vci.consume_nonce(issuer.store, nonce_value, refuse_all=m.c_nonce == "wrong")
    except oid4vci.OAuthError as exc:
        return _error(exc)
    kind = metadata.CONFIGURATIONS[config_id]
    _, data = credentials.issue(
        issuer.store, issuer.config, issuer.keys, kind, holder, config_id=config_id
    )
    value: Any = json.loads(data) if kind == credentials.LDP_VC else data.decode("ascii")
    if m.bad_signature:
        value = _corrupted(value)
    return _json({"credentials": [{"credential": value}]}, headers=NO_STORE)


def _corrupted(value: Any) -> Any:
    if isinstance(value, str):
        return corrupt_jws(value)
    proof = dict(value["proof"])
    proof["proofValue"] = corrupt_proof_value(proof["proofValue"])
    return {**value, "proof": proof}


# -- issued credentials -----------------------------------------------------------------------


async def issued_credential(request: Request) -> Response:
    issuer = _issuer(request)
    name: str = request.path_params["name"]
    credential_id, _, suffix = name.partition(".")
    try:
        record = issuer.store.get(credential_id)
        data = issuer.store.credential_bytes(credential_id)
    except NotFound:
        return _not_found(f"no credential {name}")
    if record.kind == OB2 or suffix not in ("", "svg"):
        return _not_found(f"no credential {name}")
    if issuer.misbehaviour.bad_signature:
        value = _corrupted(json.loads(data) if record.kind == credentials.LDP_VC else data.decode())
        data = (json.dumps(value, indent=2) if isinstance(value, dict) else value).encode()
    if suffix == "svg":
        if record.kind == credentials.SD_JWT:
            return _not_found("an SD-JWT VC is not baked into images")
        return Response(ob2.baked_svg(data), media_type="image/svg+xml")
    return Response(data, media_type=record.media_type)


# -- status lists -----------------------------------------------------------------------------


async def bitstring_list(request: Request) -> Response:
    issuer = _issuer(request)
    revoked = issuer.store.revoked_indices(BITSTRING)
    fault = issuer.misbehaviour.status_list
    doc = status.bitstring_credential(issuer.config, issuer.keys, revoked, int(time.time()), fault)
    return _json(doc, media_type="application/vc+ld+json")


async def token_list(request: Request) -> Response:
    issuer = _issuer(request)
    revoked = issuer.store.revoked_indices(TOKEN)
    fault = issuer.misbehaviour.status_list
    text = status.token_status_list(issuer.config, issuer.keys, revoked, int(time.time()), fault)
    return Response(text.encode("ascii"), media_type="application/statuslist+jwt")


# -- Open Badges 2.0 --------------------------------------------------------------------------


async def ob2_issuer(request: Request) -> Response:
    return _json(ob2.issuer_profile(_issuer(request).config))


async def ob2_badge(request: Request) -> Response:
    issuer = _issuer(request)
    name: str = request.path_params["name"]
    if name == f"{ob2.BADGE_ID}.png":
        return Response(ob2.badge_image(), media_type="image/png")
    badge = ob2.badge_class(issuer.config, name)
    return _not_found(f"no badge {name}") if badge is None else _json(badge)


async def ob2_assertion(request: Request) -> Response:
    issuer = _issuer(request)
    name: str = request.path_params["name"]
    assertion_id, _, suffix = name.partition(".")
    try:
        record = issuer.store.get(assertion_id)
    except NotFound:
        return _not_found(f"no assertion {name}")
    if record.kind != OB2 or suffix not in ("", "png"):
        return _not_found(f"no assertion {name}")
    if suffix == "png":
        return Response(ob2.baked_png(issuer.config, record), media_type="image/png")
    return _json(ob2.assertion(issuer.config, record))


async def ob2_revocations(request: Request) -> Response:
    issuer = _issuer(request)
    return _json(ob2.revocation_list(issuer.config, issuer.store.issued()))


ROUTES = [
    Route("/.well-known/did.json", did_document),
    Route("/partner/did.json", partner_document),
    Route("/.well-known/jwt-vc-issuer", jwt_vc_issuer),
    Route("/.well-known/openid-credential-issuer", credential_issuer_metadata),
    Route("/.well-known/oauth-authorization-server", authorization_server),
    Route("/vct/programme", vct_metadata),
    Route("/offers/{offer_id}", offer),
    Route("/token", token, methods=["POST"]),
    Route("/nonce", nonce, methods=["POST"]),
    Route("/credential", credential, methods=["POST"]),
    Route("/credentials/{name}", issued_credential),
    Route("/status/bitstring/1", bitstring_list),
    Route("/status/token/1", token_list),
    Route("/ob2/issuer", ob2_issuer),
    Route("/ob2/badges/{name}", ob2_badge),
    Route("/ob2/assertions/{name}", ob2_assertion),
    Route("/ob2/revocations", ob2_revocations),
]


def create_app(config: IssuerConfig) -> Starlette:
    from wallet.issuer.server import verifier

    issuer = Issuer.load(config)
    # The example verifier (/verifier) beside the issuer: both sides on one machine.
    app = Starlette(routes=[*ROUTES, verifier.mount(issuer)])
    app.add_middleware(MisbehaviourMiddleware, settings=issuer.misbehaviour)
    app.state.issuer = issuer
    app.state.misbehaviour = issuer.misbehaviour
    return app
