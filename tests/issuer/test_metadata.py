"""The issuer's published documents: shapes the wallet's client relies on (the contract in
the issuer spec), over real HTTPS verified with the issuer's own CA."""

from __future__ import annotations

import ssl
from urllib.parse import unquote

import httpx
import pytest

from tests.issuer.server_fixture import RunningIssuer
from wallet.verify import dids, keys

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def test_tls_is_verified_with_the_issuer_ca_and_only_with_it(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        assert client.get("/.well-known/did.json").status_code == 200
    # Control: without the CA, the certificate is refused.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(issuer_server.url("/.well-known/did.json"), verify=ssl.create_default_context())


def test_the_ca_file_is_in_the_env(issuer_server: RunningIssuer) -> None:
    import os

    assert os.environ["WALLET_CA_FILE"] == str(issuer_server.ca_file)
    assert issuer_server.ca_file is not None
    assert issuer_server.ca_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_did_document_lists_both_keys_for_assertion(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        doc = client.get("/.well-known/did.json").json()
    did = issuer_server.did
    port = issuer_server.base_url.rsplit(":", 1)[1]
    assert did == f"did:web:localhost%3A{port}"
    assert doc["id"] == did
    assert dids.did_web_url(did) == issuer_server.url("/.well-known/did.json")
    methods = {m["id"]: m for m in doc["verificationMethod"]}
    assert set(doc["assertionMethod"]) == {f"{did}#key-1", f"{did}#key-2"} == set(methods)
    assert methods[f"{did}#key-1"]["type"] == "Multikey"
    ed = keys.public_key_from_multikey(methods[f"{did}#key-1"]["publicKeyMultibase"])
    assert keys.jwk_from_public_key(ed)["crv"] == "Ed25519"
    assert methods[f"{did}#key-2"]["publicKeyJwk"]["crv"] == "P-256"


def test_partner_did_document(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        doc = client.get("/partner/did.json").json()
    assert doc["id"] == issuer_server.did + ":partner"
    assert dids.did_web_url(doc["id"]) == issuer_server.url("/partner/did.json")
    assert doc["assertionMethod"] == [doc["id"] + "#key-1"]


def test_jwt_vc_issuer_metadata_holds_key_2(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        meta = client.get("/.well-known/jwt-vc-issuer").json()
        did_doc = client.get("/.well-known/did.json").json()
    assert meta["issuer"] == issuer_server.base_url
    [jwk] = meta["jwks"]["keys"]
    assert jwk["kid"] == "key-2" and jwk["kty"] == "EC" and "d" not in jwk
    in_did = next(m for m in did_doc["verificationMethod"] if m["id"].endswith("#key-2"))
    assert {k: jwk[k] for k in ("x", "y")} == {k: in_did["publicKeyJwk"][k] for k in ("x", "y")}


def test_credential_issuer_metadata(issuer_server: RunningIssuer) -> None:
    b = issuer_server.base_url
    with issuer_server.client() as client:
        meta = client.get("/.well-known/openid-credential-issuer").json()
    assert meta["credential_issuer"] == b
    assert meta["credential_endpoint"] == b + "/credential"
    assert meta["nonce_endpoint"] == b + "/nonce"
    assert meta["display"][0]["name"]
    configs = meta["credential_configurations_supported"]
    assert set(configs) == {"programme_sd_jwt", "programme_jwt_vc", "programme_ldp_vc"}
    sd = configs["programme_sd_jwt"]
    assert sd["format"] == "dc+sd-jwt" and sd["vct"] == b + "/vct/programme"
    assert sd["cryptographic_binding_methods_supported"] == ["jwk"]
    assert sd["credential_signing_alg_values_supported"] == ["ES256"]
    for config in configs.values():
        assert config["proof_types_supported"] == {
            "jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}
        }
    jwt_vc, ldp = configs["programme_jwt_vc"], configs["programme_ldp_vc"]
    assert jwt_vc["format"] == "jwt_vc_json" and ldp["format"] == "ldp_vc"
    ob3 = ["VerifiableCredential", "OpenBadgeCredential"]
    assert jwt_vc["credential_definition"]["type"] == ob3
    assert ldp["credential_definition"]["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    for config in (jwt_vc, ldp):
        assert config["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk"]


def test_authorization_server_metadata(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        meta = client.get("/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == issuer_server.base_url
    assert meta["token_endpoint"] == issuer_server.url("/token")
    assert meta["pre-authorized_grant_anonymous_access_supported"] is True
    assert meta["grant_types_supported"] == [PRE_AUTH]


def test_unknown_paths_are_404(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        for path in ("/credentials/nope", "/ob2/assertions/nope", "/offers/nope", "/nope"):
            assert client.get(path).status_code == 404, path


def test_http_server_serves_plain_http_on_loopback(http_server: RunningIssuer) -> None:
    assert http_server.base_url.startswith("http://localhost:")
    assert http_server.ca_file is None
    doc = httpx.get(http_server.url("/.well-known/did.json")).json()
    assert unquote(doc["id"]).startswith("did:web:localhost:")
