"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: credential
offers, and the token, nonce and credential endpoints' logic.

The HTTP layer (wallet.issuer.server.app) only moves bytes; every decision is here, as
functions of the request and the state, raising ``OAuthError`` (status, error code, one
line) for the error responses of RFC 6749 section 5.2 and OID4VCI sections 6.3 and 8.3.1.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.issuer.server import credentials
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.metadata import CONFIGURATIONS, PRE_AUTH_GRANT, PROOF_ALGS
from wallet.issuer.server.state import StateStore
from wallet.verify import dids, jws, keys
from wallet.verify.context import VerifyContext

PROOF_TYP = "openid4vci-proof+jwt"
IAT_WINDOW_S = 300
NONCE_TTL_S = 300
TOKEN_TTL_S = 600
OFFER_TTL_S = 86_400
TX_CODE_LENGTH = 6
TX_CODE_TRIES = 5
OFFER_SCHEME = "openid-credential-offer://"


class OAuthError(Exception):
    """An error response: HTTP status, OAuth/OID4VCI error code and a description."""

    def __init__(
        self, status: int, error: str, description: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


# -- offers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    id: str
    uri: str
    tx_code: str | None
    document: dict[str, Any] = field(repr=False)


def offer_document(config: IssuerConfig, record: Mapping[str, Any]) -> dict[str, Any]:
    grant: dict[str, Any] = {"pre-authorized_code": record["code"]}
    if record.get("tx_code"):
        grant["tx_code"] = {
            "length": TX_CODE_LENGTH,
            "input_mode": "numeric",
            "description": "the code sent to you by e-mail",
        }
    return {
        "credential_issuer": config.base_url,
        "credential_configuration_ids": list(record["config_ids"]),
        "grants": {PRE_AUTH_GRANT: grant},
    }


def create_offer(
    store: StateStore,
    config: IssuerConfig,
    config_ids: list[str],
    *,
    tx_code: bool = False,
    by_reference: bool = False,
    unsupported_config: str | None = None,
) -> Offer:
    """A new offer for ``config_ids``; ``unsupported_config`` (a misbehaviour) replaces
    them with a configuration the wallet cannot take."""
    for config_id in config_ids:
        if config_id not in CONFIGURATIONS:
            raise UsageError(
                f"unknown configuration {config_id!r}; use one of {sorted(CONFIGURATIONS)}"
            )
    if not config_ids:
        raise UsageError("an offer names at least one configuration")
    named = [unsupported_config] if unsupported_config else list(config_ids)
    offer_id = secrets.token_urlsafe(12)
    code = "".join(str(secrets.randbelow(10)) for _ in range(TX_CODE_LENGTH)) if tx_code else None
    record = {
        "config_ids": named,
        "code": secrets.token_urlsafe(24),
        "tx_code": code,
        "tries": 0,
        "redeemed": False,
        "expires": int(time.time()) + OFFER_TTL_S,
    }
    with store.update() as state:
        state["offers"][offer_id] = record
    document = offer_document(config, record)
    if by_reference:
        uri = OFFER_SCHEME + "?credential_offer_uri=" + quote(config.url(f"/offers/{offer_id}"))
    else:
        text = json.dumps(document, separators=(",", ":"))
        uri = OFFER_SCHEME + "?credential_offer=" + quote(text, safe="")
    return Offer(offer_id, uri, code, document)


def stored_offer(store: StateStore, config: IssuerConfig, offer_id: str) -> dict[str, Any] | None:
    record = store.read()["offers"].get(offer_id)
    if record is None or record["redeemed"] or record["expires"] <= time.time():
        return None
    return offer_document(config, record)


# -- token and nonce endpoints ----------------------------------------------------------------


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body; a repeated parameter is refused."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(400, "invalid_request", "the body is not a form") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError(400, "invalid_request", f"parameter {name} is repeated")
        form[name] = value
    return form


def token(store: StateStore, form: Mapping[str, str]) -> dict[str, Any]:
    """The Token Response for a pre-authorized code (single use), checking its tx_code."""
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError(400, "invalid_request", "grant_type is missing")
    if grant != PRE_AUTH_GRANT:
        raise OAuthError(400, "unsupported_grant_type", f"grant type {grant} is not supported")
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError(400, "invalid_request", "pre-authorized_code is missing")
    given = form.get("tx_code")
    wrong: OAuthError | None = None
    with store.update() as state:
        offer_id, record = next(
            (
                (k, v)
                for k, v in state["offers"].items()
                if secrets.compare_digest(v["code"].encode(), code.encode())
            ),
            (None, None),
        )
        if record is None or record["redeemed"]:
            raise OAuthError(400, "invalid_grant", "the pre-authorized code is unknown or used")
        expected = record.get("tx_code")
        # OID4VCI 6.3: a tx_code missing or not expected is invalid_request; a wrong one is
        # invalid_grant. Wrong tries are counted (and written): the code dies after
        # TX_CODE_TRIES, so six digits cannot be guessed.
        if expected and given is None:
            raise OAuthError(400, "invalid_request", "this offer needs its tx_code")
        if not expected and given is not None:
            raise OAuthError(400, "invalid_request", "this offer has no tx_code")
        if expected and not secrets.compare_digest(expected.encode(), (given or "").encode()):
            record["tries"] += 1
            left = TX_CODE_TRIES - record["tries"]
            record["redeemed"] = left <= 0
            wrong = OAuthError(400, "invalid_grant", f"wrong tx_code ({max(left, 0)} tries left)")
        else:
            record["redeemed"] = True
            access = secrets.token_urlsafe(32)
            state["tokens"][access] = {
                "offer_id": offer_id,
                "config_ids": record["config_ids"],
                "expires": int(time.time()) + TOKEN_TTL_S,
            }
    if wrong is not None:
        raise wrong
    return {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_S}


def new_nonce(store: StateStore) -> str:
    nonce = secrets.token_urlsafe(24)
    with store.update() as state:
        state["nonces"][nonce] = int(time.time()) + NONCE_TTL_S
    return nonce


def authorise(store: StateStore, header: str | None) -> dict[str, Any]:
    """The access token's record, or 401 invalid_token (RFC 6750)."""
    challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError(401, "invalid_token", "a Bearer access token is needed", challenge)
    record = store.read()["tokens"].get(value.strip())
    if record is None or record["expires"] <= time.time():
        raise OAuthError(401, "invalid_token", "the access token is unknown or expired", challenge)
    return dict(record)


# -- key proofs -------------------------------------------------------------------------------


def did_jwk(jwk: Mapping[str, Any]) -> str:
    public = {k: jwk[k] for k in ("kty", "crv", "x", "y", "n", "e") if k in jwk}
    return "did:jwk:" + keys.b64url(
        json.dumps(public, sort_keys=True, separators=(",", ":")).encode()
    )


def _bad_proof(detail: str) -> OAuthError:
    return OAuthError(400, "invalid_proof", detail)


def _holder_key(header: Mapping[str, Any]) -> credentials.Holder:
    has_jwk, has_kid = "jwk" in header, "kid" in header
    if "x5c" in header:
        raise _bad_proof("x5c key proofs are not supported; use jwk or kid")
    if has_jwk == has_kid:
        raise _bad_proof("the proof header must carry exactly one of jwk and kid")
    if has_jwk:
        jwk = header["jwk"]
        if not isinstance(jwk, dict) or "d" in jwk:
            raise _bad_proof("the proof's jwk must be a public JWK")
        try:
            public = keys.jwk_from_public_key(keys.public_key_from_jwk(jwk))
        except WalletError as exc:
            raise _bad_proof(f"the proof's jwk is not usable: {exc}") from None
        return credentials.Holder(public, did_jwk(public))
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith(("did:key:", "did:jwk:")):
        raise _bad_proof("the proof's kid must be a did:key or did:jwk DID URL")
    try:
        method = dids.resolve_verification_method(kid, VerifyContext(), purpose="authentication")
    except WalletError as exc:
        raise _bad_proof(f"the proof's kid does not resolve: {exc}") from None
    return credentials.Holder(keys.jwk_from_public_key(method.public_key), method.controller)


def check_proof(
    text: Any, audience: str, now: float | None = None
) -> tuple[credentials.Holder, str]:
    """The holder key a proof JWT proves possession of, and the c_nonce it names.

    Checks (OID4VCI appendix F.1, F.4): typ, alg on the allow-list, signature by the
    header's jwk or the kid's did:key/did:jwk key, aud, iat within the window. The
    nonce is returned unchecked: the caller consumes it (single use) last.
    """
    if not isinstance(text, str):
        raise _bad_proof("a jwt proof must be a string")
    try:
        token = jws.parse_compact(text)
        payload = token.payload_json("proof JWT payload")
    except MalformedInput as exc:
        raise _bad_proof(f"the proof is not a JWT: {exc}") from None
    header = token.header
    if header.get("typ") != PROOF_TYP:
        raise _bad_proof(f"the proof's typ must be {PROOF_TYP}, not {header.get('typ')!r}")
    if header.get("alg") not in PROOF_ALGS:
        raise _bad_proof(f"proof algorithm {header.get('alg')!r} is not one of {list(PROOF_ALGS)}")
    holder = _holder_key(header)
    try:
        jws.check_header(header)
        jws.verify_with_jwk(token, holder.jwk or {})
    except WalletError as exc:
        raise _bad_proof(f"the proof's signature does not verify: {exc}") from None
    aud = payload.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise _bad_proof(f"the proof's aud must be {audience}")
    iat = payload.get("iat")
    moment = time.time() if now is None else now
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise _bad_proof("the proof has no iat")
    if abs(moment - iat) > IAT_WINDOW_S:
        raise _bad_proof(f"the proof's iat is more than {IAT_WINDOW_S} s from now")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise OAuthError(400, "invalid_nonce", "the proof carries no c_nonce")
    return holder, nonce


def consume_nonce(store: StateStore, nonce: str, *, refuse_all: bool = False) -> None:
    with store.update() as state:
        expires = state["nonces"].pop(nonce, None)
    if refuse_all or expires is None or expires <= time.time():
        raise OAuthError(400, "invalid_nonce", "the c_nonce is unknown, used or expired")


# -- credential endpoint ----------------------------------------------------------------------


def requested_configuration(body: Any, grant: Mapping[str, Any]) -> tuple[str, str]:
    """(configuration id, the one proof JWT) of a Credential Request."""
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_credential_request", "the request must be a JSON object")
    if "credential_identifier" in body:
        raise OAuthError(
            400, "unknown_credential_identifier", "credential identifiers are not issued here"
        )
    config_id = body.get("credential_configuration_id")
    if not isinstance(config_id, str):
        raise OAuthError(
            400, "invalid_credential_request", "credential_configuration_id is missing"
        )
    if config_id not in grant["config_ids"] or config_id not in CONFIGURATIONS:
        raise OAuthError(
            400,
            "unknown_credential_configuration",
            f"configuration {config_id!r} is not in this token's offer",
        )
    if "proof" in body:
        raise OAuthError(400, "invalid_credential_request", "send proofs (OID4VCI 1.0), not proof")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise OAuthError(400, "invalid_proof", 'proofs must be {"jwt": ["<proof JWT>"]}')
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise OAuthError(
            400, "invalid_credential_request", "batch issuance is not supported: send one proof"
        )
    return config_id, jwts[0]
