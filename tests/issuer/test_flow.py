"""The pre-authorized code flow end to end against the real server, and what the issued
credentials are: bound to the proof's key, and valid for the wallet's offline verifier
given the server's documents in its cache."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer
from wallet.api import parse_credential, verify_credential
from wallet.formats import sdjwt
from wallet.model import SIGNATURE, STATUS, CheckStatus, Verdict

CONFIGS = ("programme_sd_jwt", "programme_jwt_vc", "programme_ldp_vc")


def _bytes(credential: Any) -> bytes:
    return json.dumps(credential).encode() if isinstance(credential, dict) else credential.encode()


def _payload(jwt: str) -> dict[str, Any]:
    body = jwt.split("~", maxsplit=1)[0].split(".")[1]
    result: dict[str, Any] = json.loads(flow.base64.urlsafe_b64decode(body + "=="))
    return result


@pytest.mark.parametrize("tx_code", [False, True], ids=["no-tx-code", "tx-code"])
@pytest.mark.parametrize("config", CONFIGS)
def test_flow_issues_a_credential_the_wallet_verifies(
    issuer_server: RunningIssuer, config: str, tx_code: bool
) -> None:
    holder = flow.HolderKey.p256()
    issued = flow.obtain(issuer_server, config, holder, tx_code=tx_code)
    credential = parse_credential(_bytes(issued))
    report = verify_credential(credential, flow.cache_from(issuer_server))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED, report.check(SIGNATURE)
    assert report.check(STATUS).status is CheckStatus.PASSED, report.check(STATUS)
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER
    [record] = [r for r in issuer_server.issued() if r.config_id == config]
    assert record.revoked is False and record.subject == holder.did_jwk
    with issuer_server.client() as client:
        served = client.get(record.path)
    assert served.status_code == 200
    assert served.content == _bytes(issued) or json.loads(served.content) == issued


def test_the_same_credential_without_its_documents_is_not_valid(
    issuer_server: RunningIssuer,
) -> None:
    # Control for the test above: an empty cache proves nothing.
    issued = flow.obtain(issuer_server, "programme_ldp_vc", flow.HolderKey.p256())
    report = verify_credential(parse_credential(_bytes(issued)), flow.VerifyContext())
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    assert report.verdict is not Verdict.VALID_UNTRUSTED_ISSUER


def test_sd_jwt_is_bound_to_the_proof_jwk_and_discloses_selectively(
    issuer_server: RunningIssuer,
) -> None:
    holder = flow.HolderKey.p256()
    issued = flow.obtain(issuer_server, "programme_sd_jwt", holder)
    payload = _payload(issued)
    assert payload["cnf"]["jwk"]["x"] == holder.jwk["x"]
    assert payload["iss"] == issuer_server.base_url
    assert payload["vct"] == issuer_server.url("/vct/programme")
    assert payload["status"]["status_list"]["uri"] == issuer_server.url("/status/token/1")
    assert "given_name" not in payload and "grade" not in payload  # behind disclosures
    processed = sdjwt.process(sdjwt.split(issued))
    assert processed.claims["given_name"] == "Alex"
    assert len(processed.claims["skills"]) == 4


@pytest.mark.parametrize("binding", ["did:key", "did:jwk"])
@pytest.mark.parametrize("config", ["programme_jwt_vc", "programme_ldp_vc"])
def test_ob3_subject_is_the_proof_kid_did(
    issuer_server: RunningIssuer, config: str, binding: str
) -> None:
    holder = flow.HolderKey.ed25519()
    issued = flow.obtain(issuer_server, config, holder, binding=binding)
    doc = issued if isinstance(issued, dict) else _payload(issued)
    expected = holder.did_key if binding == "did:key" else holder.did_jwk
    assert doc["credentialSubject"]["id"] == expected
    assert doc["issuer"]["id"] == issuer_server.did
    assert doc["credentialStatus"]["statusListCredential"] == issuer_server.url(
        "/status/bitstring/1"
    )


def test_sd_jwt_with_a_did_key_proof_binds_its_key(issuer_server: RunningIssuer) -> None:
    holder = flow.HolderKey.ed25519()
    issued = flow.obtain(issuer_server, "programme_sd_jwt", holder, binding="did:key")
    assert _payload(issued)["cnf"]["jwk"]["x"] == holder.jwk["x"]


def test_ob3_credential_content(issuer_server: RunningIssuer) -> None:
    issued = flow.obtain(issuer_server, "programme_ldp_vc", flow.HolderKey.p256())
    achievement = issued["credentialSubject"]["achievement"]
    assert achievement["name"] == "Data Analytics Foundations"
    assert achievement["creditsAvailable"] == 3.0
    urls = [a["targetUrl"] for a in achievement["alignment"]]
    assert urls and all(u.startswith("http://data.europa.eu/esco/skill/") for u in urls)
    assert len(issued["evidence"]) == 2
    [endorsement] = issued["endorsement"]
    assert endorsement["issuer"]["id"] == issuer_server.did + ":partner"
    assert endorsement["proof"]["verificationMethod"] == issuer_server.did + ":partner#key-1"
    assert issued["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert issued["proof"]["verificationMethod"] == issuer_server.did + "#key-1"
    parsed = parse_credential(_bytes(issued))
    report = verify_credential(parsed, flow.cache_from(issuer_server))
    assert parsed.endorsements and report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_by_reference_offer_is_fetched_from_the_server(issuer_server: RunningIssuer) -> None:
    uri, tx = issuer_server.offer("programme_ldp_vc", by_reference=True)
    assert tx is None and "credential_offer_uri=" in uri
    with issuer_server.client() as client:
        offer = flow.offer_of(uri, client)
        assert offer["credential_issuer"] == issuer_server.base_url
        assert offer["credential_configuration_ids"] == ["programme_ldp_vc"]
        assert flow.token(client, flow.pre_authorized_code(offer)).status_code == 200
        # A used offer is no longer served.
        url = unquote(uri.split("credential_offer_uri=")[1])
        assert url.startswith(issuer_server.url("/offers/"))
        assert client.get(url).status_code == 404


def test_offer_with_tx_code_announces_it(issuer_server: RunningIssuer) -> None:
    uri, tx = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert tx is not None and len(tx) == 6 and tx.isdigit()
    grant = flow.offer_of(uri)["grants"][flow.PRE_AUTH]
    assert grant["tx_code"] == {
        "length": 6,
        "input_mode": "numeric",
        "description": "the code sent to you by e-mail",
    }
    assert tx not in uri
    plain, none = issuer_server.offer("programme_sd_jwt")
    assert none is None and "tx_code" not in flow.offer_of(plain)["grants"][flow.PRE_AUTH]


def test_token_response_shape(issuer_server: RunningIssuer) -> None:
    uri, _ = issuer_server.offer("programme_sd_jwt")
    with issuer_server.client() as client:
        response = flow.token(client, flow.pre_authorized_code(flow.offer_of(uri)))
    body = response.json()
    assert body["token_type"] == "Bearer" and body["access_token"] and body["expires_in"] > 0
    assert response.headers["cache-control"] == "no-store"


def test_nonce_endpoint(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        first, second = client.post("/nonce"), client.post("/nonce")
    assert first.headers["cache-control"] == "no-store"
    assert first.json()["c_nonce"] != second.json()["c_nonce"]
