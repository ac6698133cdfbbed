"""OpenID for Verifiable Credential Issuance 1.0, wallet side: the pre-authorized code flow.

offer -> issuer metadata -> (authorization server metadata) -> token (with the tx_code the
learner was sent) -> nonce -> a key proof signed by the wallet's holder key -> the credential.
Each step's failure is one NetworkError line; nothing here stores anything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wallet.errors import MalformedInput, NetworkError, UnsupportedInput, UsageError
from wallet.exchange.net import Http, Response, check_url
from wallet.exchange.txcode import TxCode
from wallet.present.service import Signer
from wallet.verify import jws

OFFER_SCHEME = "openid-credential-offer://"
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
# Formats whose credentials this wallet parses and verifies, by their OID4VCI names.
SUPPORTED_FORMATS = {"dc+sd-jwt", "vc+sd-jwt", "jwt_vc_json", "jwt_vc_json-ld", "ldp_vc"}
MAX_OFFER_CHARS = 16_000


@dataclass(frozen=True)
class Offer:
    credential_issuer: str
    configuration_ids: tuple[str, ...]
    pre_authorized_code: str
    tx_code: TxCode | None


@dataclass(frozen=True)
class Configuration:
    id: str
    format: str
    proof_algs: tuple[str, ...]
    binding_methods: tuple[str, ...]


@dataclass(frozen=True)
class IssuerMetadata:
    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str | None
    token_endpoint: str
    configurations: Mapping[str, Configuration]
    display_name: str | None


@dataclass(frozen=True)
class Issued:
    configuration: Configuration
    data: bytes
    signer: Signer


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise MalformedInput(f"the credential offer has {name} twice")
    return values[0]


def parse_offer(uri: str, http: Http) -> Offer:
    """The offer a link carries by value, or by reference (fetched from the issuer)."""
    uri = uri.strip()
    if len(uri) > MAX_OFFER_CHARS:
        raise MalformedInput(f"the credential offer is longer than {MAX_OFFER_CHARS} characters")
    query = parse_qs(urlsplit(uri).query, keep_blank_values=True)
    by_value = _one(query, "credential_offer")
    by_reference = _one(query, "credential_offer_uri")
    if (by_value is None) == (by_reference is None):
        raise MalformedInput(
            "a credential offer carries exactly one of credential_offer and credential_offer_uri"
        )
    if by_value is not None:
        try:
            document = json.loads(by_value)
        except ValueError:
            raise MalformedInput("the credential offer is not JSON") from None
    else:
        assert by_reference is not None
        check_url(by_reference)
        document = _answer(http.get(by_reference, accept="application/json"), "credential offer")
    if not isinstance(document, dict):
        raise MalformedInput("the credential offer is not a JSON object")
    return _offer_from(document)


def _offer_from(document: Mapping[str, Any]) -> Offer:
    issuer = document.get("credential_issuer")
    ids = document.get("credential_configuration_ids")
    if not isinstance(issuer, str) or not issuer:
        raise MalformedInput("the credential offer names no credential_issuer")
    check_url(issuer)
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise MalformedInput("the credential offer lists no credential_configuration_ids")
    grants = document.get("grants")
    grant = grants.get(PRE_AUTHORIZED) if isinstance(grants, dict) else None
    if not isinstance(grant, dict):
        raise UnsupportedInput(
            "the offer has no pre-authorized code; the authorization code flow (signing in at "
            "the issuer) is not supported yet"
        )
    code = grant.get("pre-authorized_code")
    if not isinstance(code, str) or not code:
        raise MalformedInput("the offer's pre-authorized_code is missing")
    return Offer(issuer, tuple(ids), code, _tx_code(grant.get("tx_code")))


def _tx_code(value: Any) -> TxCode | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedInput("the offer's tx_code is not an object")
    length = value.get("length")
    mode = value.get("input_mode", "numeric")
    description = value.get("description")
    if length is not None and (not isinstance(length, int) or not 0 < length <= 64):
        raise MalformedInput("the offer's tx_code length is not a small positive number")
    if mode not in ("numeric", "text"):
        raise MalformedInput(f"the offer's tx_code input_mode {mode!r} is unknown")
    return TxCode(length, mode, description if isinstance(description, str) else None)


def _answer(response: Response, what: str) -> dict[str, Any]:
    """The JSON object of a successful answer; an error answer becomes one line."""
    if not response.ok:
        error, description = _error_of(response)
        detail = ""
        if error is not None:
            detail = f": {error}" + (f" ({description})" if description else "")
        raise NetworkError(f"the {what} at {response.url} answered HTTP {response.status}{detail}")
    try:
        return response.json_object(what)
    except MalformedInput as exc:
        raise NetworkError(exc.message) from None


def _well_known(base: str, name: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{name}{parts.path.rstrip('/')}"


def _endpoint(document: Mapping[str, Any], name: str, what: str, *, required: bool) -> str | None:
    value = document.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise NetworkError(f"the {what} has no {name}")
    try:
        check_url(value)
    except NetworkError as exc:
        raise NetworkError(f"the {what}'s {name}: {exc.message}") from None
    return value


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _configuration(config_id: str, value: Any) -> Configuration:
    if not isinstance(value, dict) or not isinstance(value.get("format"), str):
        raise NetworkError(f"the issuer metadata's configuration {config_id} names no format")
    proof_types = value.get("proof_types_supported")
    jwt_proofs = proof_types.get("jwt") if isinstance(proof_types, dict) else None
    algs = (
        _strings(jwt_proofs.get("proof_signing_alg_values_supported"))
        if isinstance(jwt_proofs, dict)
        else ()
    )
    return Configuration(
        config_id,
        value["format"],
        algs,
        _strings(value.get("cryptographic_binding_methods_supported")),
    )


def fetch_metadata(http: Http, issuer: str) -> IssuerMetadata:
    url = _well_known(issuer, "openid-credential-issuer")
    document = _answer(http.get(url, accept="application/json"), "issuer metadata")
    if document.get("credential_issuer") != issuer:
        raise NetworkError(
            f"the issuer metadata at {url} is for {str(document.get('credential_issuer'))[:100]},"
            f" not {issuer}"
        )
    what = "issuer metadata"
    credential_endpoint = _endpoint(document, "credential_endpoint", what, required=True)
    nonce_endpoint = _endpoint(document, "nonce_endpoint", what, required=False)
    configs = document.get("credential_configurations_supported")
    if not isinstance(configs, dict):
        raise NetworkError(f"the issuer metadata at {url} has no credential configurations")
    servers = _strings(document.get("authorization_servers")) or (issuer,)
    token_endpoint = _token_endpoint(http, servers[0])
    display = document.get("display")
    name = None
    if isinstance(display, list) and display and isinstance(display[0], dict):
        found = display[0].get("name")
        name = found if isinstance(found, str) else None
    assert credential_endpoint is not None
    return IssuerMetadata(
        issuer,
        credential_endpoint,
        nonce_endpoint,
        token_endpoint,
        {k: _configuration(k, v) for k, v in configs.items()},
        name,
    )


def _token_endpoint(http: Http, server: str) -> str:
    check_url(server)
    url = _well_known(server, "oauth-authorization-server")
    document = _answer(http.get(url, accept="application/json"), "authorization server metadata")
    endpoint = _endpoint(document, "token_endpoint", "authorization server metadata", required=True)
    assert endpoint is not None
    return endpoint


def request_token(http: Http, metadata: IssuerMetadata, offer: Offer, tx_code: str | None) -> str:
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": offer.pre_authorized_code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    response = http.post_form(metadata.token_endpoint, form)
    # OID4VCI 1.0 section 6.3: a wrong transaction code is invalid_grant (so is an offer
    # used or expired: the issuer's description tells which). It is the learner's input,
    # not the network: the same exit as a code of the wrong shape.
    error, why = _error_of(response) if tx_code is not None and response.status == 400 else ("", "")
    if error == "invalid_grant":
        raise UsageError(
            "the issuer did not accept the offer with this transaction code"
            + (f" ({why})" if why else "")
            + "; nothing was imported",
            code="tx_code_refused",
        )
    body = _answer(response, "token endpoint")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise NetworkError("the token endpoint gave no access_token")
    if str(body.get("token_type", "")).lower() not in ("bearer", "dpop"):
        raise NetworkError(f"the token endpoint's token_type {body.get('token_type')!r} is unknown")
    return token


def fetch_nonce(http: Http, metadata: IssuerMetadata) -> str | None:
    if metadata.nonce_endpoint is None:
        return None
    body = _answer(http.post_form(metadata.nonce_endpoint, {}), "nonce endpoint")
    nonce = body.get("c_nonce")
    if not isinstance(nonce, str) or not nonce:
        raise NetworkError("the issuer's nonce endpoint gave no c_nonce")
    return nonce


def _check_binding(config: Configuration) -> None:
    """The wallet proves its key as a JWK or as did:key: an issuer that binds only to
    something else would refuse the proof, or bind the credential to another key."""
    methods = config.binding_methods
    if methods and not any(m == "jwk" or m.startswith("did:key") for m in methods):
        raise UnsupportedInput(
            f"the issuer binds {config.id} credentials to {', '.join(methods)[:200]}; this"
            " wallet proves its keys as a JWK or did:key"
        )


def _signer_for(config: Configuration, signers: Sequence[Signer]) -> Signer:
    for signer in signers:
        alg = jws.alg_for(signer.private_key)
        if not config.proof_algs or alg in config.proof_algs:
            return signer
    raise UnsupportedInput(
        f"the issuer takes key proofs signed with {', '.join(config.proof_algs)}; this wallet's"
        " holder keys are EdDSA and ES256"
    )


def proof_jwt(signer: Signer, config: Configuration, audience: str, nonce: str | None) -> str:
    """A key proof: the holder key signs the issuer's audience and nonce. Credentials bound
    to a JWK get the key itself; those bound to a DID get its verification method."""
    use_did = config.binding_methods and not any(m == "jwk" for m in config.binding_methods)
    header: dict[str, Any] = {"typ": PROOF_TYP}
    if use_did:
        header["kid"] = signer.verification_method
    else:
        header["jwk"] = signer.jwk
    payload: dict[str, Any] = {"aud": audience, "iat": int(time.time())}
    if nonce is not None:
        payload["nonce"] = nonce
    return jws.sign_compact(payload, signer.private_key, headers=header)


def _credential_bytes(body: Mapping[str, Any]) -> list[bytes]:
    if "transaction_id" in body and "credentials" not in body:
        raise NetworkError("the issuer deferred the credential; deferred issuance is not supported")
    items = body.get("credentials")
    if not isinstance(items, list) or not items:
        raise NetworkError("the credential endpoint's answer holds no credentials")
    result = []
    for item in items:
        value = item.get("credential") if isinstance(item, dict) else None
        if isinstance(value, str):
            result.append(value.encode("utf-8"))
        elif isinstance(value, dict):
            result.append(json.dumps(value).encode("utf-8"))
        else:
            raise NetworkError("the credential endpoint's answer holds no credential")
    return result


def request_credentials(
    http: Http,
    metadata: IssuerMetadata,
    config: Configuration,
    token: str,
    signer: Signer,
) -> list[bytes]:
    """Ask for one configuration; a refused nonce is retried once with a fresh one."""
    headers = {"Authorization": f"Bearer {token}"}
    for attempt in range(2):
        nonce = fetch_nonce(http, metadata)
        proof = proof_jwt(signer, config, metadata.credential_issuer, nonce)
        body = {"credential_configuration_id": config.id, "proofs": {"jwt": [proof]}}
        response = http.post_json(metadata.credential_endpoint, body, headers=headers)
        if not response.ok and attempt == 0 and _error_of(response)[0] == "invalid_nonce":
            continue
        return _credential_bytes(_answer(response, "credential endpoint"))
    raise AssertionError("unreachable")


def _error_of(response: Response) -> tuple[str | None, str | None]:
    """An OAuth error answer's ``error`` and ``error_description`` (cut to 200 characters),
    each None where the answer has no such text."""
    try:
        body = response.json_object("answer")
    except MalformedInput:
        return None, None
    error, description = body.get("error"), body.get("error_description")
    return (
        error if isinstance(error, str) else None,
        description[:200] if isinstance(description, str) and description else None,
    )


def receive(
    offer: Offer,
    http: Http,
    signers: Sequence[Signer],
    ask_tx_code: Callable[[TxCode], str],
) -> tuple[IssuerMetadata, list[Issued]]:
    """Run the whole pre-authorized flow for every configuration the offer names."""
    metadata = fetch_metadata(http, offer.credential_issuer)
    configs = []
    for config_id in offer.configuration_ids:
        config = metadata.configurations.get(config_id)
        if config is None:
            raise NetworkError(f"the issuer's metadata has no configuration {config_id}")
        if config.format not in SUPPORTED_FORMATS:
            raise UnsupportedInput(
                f"the offer is for a {config.format} credential ({config_id}), which this wallet"
                " does not hold; it takes " + ", ".join(sorted(SUPPORTED_FORMATS))
            )
        _check_binding(config)
        configs.append((config, _signer_for(config, signers)))
    tx_code = None
    if offer.tx_code is not None:
        tx_code = ask_tx_code(offer.tx_code).strip()
        offer.tx_code.check(tx_code)
    token = request_token(http, metadata, offer, tx_code)
    issued = []
    for config, signer in configs:
        for data in request_credentials(http, metadata, config, token, signer):
            issued.append(Issued(config, data, signer))
    return metadata, issued
