"""A minimal OID4VCI wallet for the server's tests: proof JWTs made here with joserfc
(not the wallet's signing code), and the verifier's cache filled from the server."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

from tests.issuer.server_fixture import RunningIssuer
from wallet.verify.context import CachedDocument, MemoryCache, VerifyContext

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class HolderKey:
    private: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

    @classmethod
    def p256(cls) -> HolderKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def ed25519(cls) -> HolderKey:
        return cls(ed25519.Ed25519PrivateKey.generate())

    @property
    def alg(self) -> str:
        return "ES256" if isinstance(self.private, ec.EllipticCurvePrivateKey) else "EdDSA"

    def jose(self) -> ECKey | OKPKey:
        pem = self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if self.alg == "ES256":
            return ECKey.import_key(pem)
        return OKPKey.import_key(pem)

    @property
    def jwk(self) -> dict[str, Any]:
        return self.jose().as_dict(private=False)

    @property
    def did_jwk(self) -> str:
        public = {k: v for k, v in self.jwk.items() if k in ("kty", "crv", "x", "y")}
        return "did:jwk:" + b64url(
            json.dumps(public, sort_keys=True, separators=(",", ":")).encode()
        )

    @property
    def did_key(self) -> str:
        from wallet.verify import keys

        return keys.did_key_from_public_key(self.private.public_key())

    def proof(
        self,
        *,
        aud: str,
        nonce: str | None,
        binding: str = "jwk",
        typ: str = PROOF_TYP,
        iat: float | None = None,
        alg: str | None = None,
        extra_header: dict[str, Any] | None = None,
        signer: HolderKey | None = None,
    ) -> str:
        header: dict[str, Any] = {"typ": typ, "alg": alg or self.alg}
        if binding == "jwk":
            header["jwk"] = self.jwk
        elif binding == "did:key":
            did = self.did_key
            header["kid"] = f"{did}#{did[len('did:key:') :]}"
        elif binding == "did:jwk":
            header["kid"] = self.did_jwk + "#0"
        header.update(extra_header or {})
        claims: dict[str, Any] = {"aud": aud, "iat": int(time.time() if iat is None else iat)}
        if nonce is not None:
            claims["nonce"] = nonce
        key = (signer or self).jose()
        return jws.serialize_compact(
            header, json.dumps(claims).encode(), key, algorithms=[header["alg"]]
        )


def offer_of(uri: str, client: httpx.Client | None = None) -> dict[str, Any]:
    assert uri.startswith("openid-credential-offer://?")
    query = parse_qs(urlsplit(uri).query)
    if "credential_offer" in query:
        [text] = query["credential_offer"]
        result: dict[str, Any] = json.loads(text)
        return result
    [url] = query["credential_offer_uri"]
    assert client is not None
    response = client.get(url)
    assert response.status_code == 200
    fetched: dict[str, Any] = response.json()
    return fetched


def pre_authorized_code(offer: dict[str, Any]) -> str:
    code: str = offer["grants"][PRE_AUTH]["pre-authorized_code"]
    return code


def token(client: httpx.Client, code: str, tx_code: str | None = None) -> httpx.Response:
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    return client.post("/token", data=form)


def access_token(client: httpx.Client, server: RunningIssuer, config: str, **kw: Any) -> str:
    uri, tx = server.offer(config, **kw)
    response = token(client, pre_authorized_code(offer_of(uri, client)), tx)
    assert response.status_code == 200, response.text
    value: str = response.json()["access_token"]
    return value


def nonce(client: httpx.Client) -> str:
    response = client.post("/nonce")
    assert response.status_code == 200
    value: str = response.json()["c_nonce"]
    return value


def credential_request(
    client: httpx.Client, access: str, config: str, proof: str | None, **extra: Any
) -> httpx.Response:
    body: dict[str, Any] = {"credential_configuration_id": config, **extra}
    if proof is not None:
        body["proofs"] = {"jwt": [proof]}
    return client.post("/credential", json=body, headers={"Authorization": f"Bearer {access}"})


def obtain(
    server: RunningIssuer,
    config: str,
    holder: HolderKey,
    *,
    binding: str = "jwk",
    tx_code: bool = False,
) -> Any:
    """The whole pre-authorized flow; the issued credential (a string or a JSON object)."""
    with server.client() as client:
        access = access_token(client, server, config, tx_code=tx_code)
        proof = holder.proof(aud=server.base_url, nonce=nonce(client), binding=binding)
        response = credential_request(client, access, config, proof)
    assert response.status_code == 200, response.text
    [item] = response.json()["credentials"]
    return item["credential"]


DOCUMENTS = (
    "/.well-known/did.json",
    "/partner/did.json",
    "/.well-known/jwt-vc-issuer",
    "/status/bitstring/1",
    "/status/token/1",
    "/ob2/issuer",
    "/ob2/badges/data-analytics-foundations",
    "/ob2/revocations",
)


def cache_from(server: RunningIssuer, *extra: str) -> VerifyContext:
    """A VerifyContext whose cache holds the server's documents, fetched now."""
    now = datetime.now(UTC)
    cache = MemoryCache()
    with server.client() as client:
        for path in (*DOCUMENTS, *extra):
            response = client.get(path)
            assert response.status_code == 200, path
            url = server.url(path)
            media = response.headers["content-type"].split(";")[0]
            cache.put(CachedDocument(url, response.content, now, media))
    return VerifyContext(cache=cache, now=now)
