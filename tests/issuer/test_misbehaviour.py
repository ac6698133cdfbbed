"""Each test-only misbehaviour does what it says, and only while it is set."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer
from wallet.api import parse_credential, verify_credential
from wallet.model import SIGNATURE, STATUS, CheckStatus, Verdict

DID = "/.well-known/did.json"


def _bytes(value: Any) -> bytes:
    return json.dumps(value).encode() if isinstance(value, dict) else value.encode()


def test_slow_answers_after_a_delay(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.slow = 2.0
    issuer_server.misbehaviour.target = DID
    with issuer_server.client(timeout=httpx.Timeout(5.0, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(DID)
        assert client.get("/partner/did.json").status_code == 200  # not targeted


def test_huge_streams_more_than_asked_for_without_a_length(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.huge = 5_000_000
    with issuer_server.client() as client, client.stream("GET", DID) as response:
        assert "content-length" not in response.headers
        received = sum(len(chunk) for chunk in response.iter_bytes())
    assert received == 5_000_000


def test_redirect_loop(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.redirect_loop = True
    with issuer_server.client() as client:
        first = client.get(DID)
        assert first.status_code == 302 and first.headers["location"] == issuer_server.url(DID)
        with pytest.raises(httpx.TooManyRedirects):
            client.get(DID, follow_redirects=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/.well-known/did.json?x=1"),
        ("http://127.0.0.1:9/elsewhere", "http://127.0.0.1:9/elsewhere"),
    ],
)
def test_redirect_to_http(issuer_server: RunningIssuer, target: str, expected: str) -> None:
    issuer_server.misbehaviour.redirect_to_http = target
    with issuer_server.client() as client:
        response = client.get(DID + "?x=1")
    assert response.status_code == 302 and response.headers["location"] == expected


def test_redirect_to_the_plain_http_server(
    issuer_server: RunningIssuer, http_server: RunningIssuer
) -> None:
    issuer_server.misbehaviour.redirect_to_http = http_server.base_url
    with issuer_server.client() as client:
        response = client.get("/ob2/issuer", follow_redirects=True)
    assert response.url == httpx.URL(http_server.url("/ob2/issuer"))
    assert response.json()["id"] == http_server.url("/ob2/issuer")


@pytest.mark.parametrize("fault", ["not_json", "wrong_shape", "wrong_issuer"])
def test_malformed_metadata(issuer_server: RunningIssuer, fault: Any) -> None:
    path = "/.well-known/openid-credential-issuer"
    with issuer_server.client() as client:
        good = client.get(path).json()
        issuer_server.misbehaviour.malformed_metadata = fault
        response = client.get(path)
    assert good["credential_issuer"] == issuer_server.base_url
    if fault == "not_json":
        with pytest.raises(ValueError):
            response.json()
    elif fault == "wrong_shape":
        meta = response.json()
        assert isinstance(meta["credential_configurations_supported"], list)
        assert "credential_endpoint" not in meta
    else:
        assert response.json()["credential_issuer"] != issuer_server.base_url


def test_token_error(issuer_server: RunningIssuer) -> None:
    uri, _ = issuer_server.offer("programme_sd_jwt")
    code = flow.pre_authorized_code(flow.offer_of(uri))
    issuer_server.misbehaviour.token_error = True
    with issuer_server.client() as client:
        response = flow.token(client, code)
        assert response.status_code == 500 and response.json() == {"error": "server_error"}
        issuer_server.misbehaviour.token_error = False
        assert flow.token(client, code).status_code == 200  # the code was not used up


def test_c_nonce_missing(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.c_nonce = "missing"
    with issuer_server.client() as client:
        response = client.post("/nonce")
    assert response.status_code == 200 and "c_nonce" not in response.json()


def test_c_nonce_wrong_refuses_even_a_fresh_one(issuer_server: RunningIssuer) -> None:
    holder = flow.HolderKey.p256()
    with issuer_server.client() as client:
        access = flow.access_token(client, issuer_server, "programme_sd_jwt")
        issuer_server.misbehaviour.c_nonce = "wrong"
        proof = holder.proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
        response = flow.credential_request(client, access, "programme_sd_jwt", proof)
        assert response.status_code == 400 and response.json()["error"] == "invalid_nonce"
        issuer_server.misbehaviour.c_nonce = None
        proof = holder.proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
        assert flow.credential_request(client, access, "programme_sd_jwt", proof).status_code == 200


@pytest.mark.parametrize("config", ["programme_sd_jwt", "programme_jwt_vc", "programme_ldp_vc"])
def test_bad_signature(issuer_server: RunningIssuer, config: str) -> None:
    issuer_server.misbehaviour.bad_signature = True
    issued = flow.obtain(issuer_server, config, flow.HolderKey.p256())
    ctx = flow.cache_from(issuer_server)
    report = verify_credential(parse_credential(_bytes(issued)), ctx)
    assert report.check(SIGNATURE).status is CheckStatus.FAILED, report.check(SIGNATURE)
    [record] = [r for r in issuer_server.issued() if r.config_id == config]
    with issuer_server.client() as client:
        served = client.get(record.path).content
        issuer_server.misbehaviour.bad_signature = False
        good = client.get(record.path).content
    assert verify_credential(parse_credential(served), ctx).verdict is Verdict.INVALID
    # The register kept the good bytes: the same credential verifies once the fault is off.
    assert verify_credential(parse_credential(good), ctx).verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_offer_config_names_an_unsupported_configuration(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.offer_config = "mdl"
    uri, _ = issuer_server.offer("programme_sd_jwt")
    offer = flow.offer_of(uri)
    assert offer["credential_configuration_ids"] == ["mdl"]
    with issuer_server.client() as client:
        meta = client.get("/.well-known/openid-credential-issuer").json()
        assert meta["credential_configurations_supported"]["mdl"]["format"] == "mso_mdoc"
        response = flow.token(client, flow.pre_authorized_code(offer))
        access = response.json()["access_token"]
        proof = flow.HolderKey.p256().proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
        refused = flow.credential_request(client, access, "mdl", proof)
    assert refused.json()["error"] == "unknown_credential_configuration"


def test_did_document_without_key(issuer_server: RunningIssuer) -> None:
    issued = flow.obtain(issuer_server, "programme_ldp_vc", flow.HolderKey.p256())
    issuer_server.misbehaviour.did_document_without_key = True
    with issuer_server.client() as client:
        doc = client.get(DID).json()
    assert [m["id"].rsplit("#", 1)[1] for m in doc["verificationMethod"]] == ["key-9"]
    report = verify_credential(parse_credential(_bytes(issued)), flow.cache_from(issuer_server))
    assert report.check(SIGNATURE).status is not CheckStatus.PASSED
    assert report.verdict is not Verdict.VALID_UNTRUSTED_ISSUER


@pytest.mark.parametrize("config", ["programme_ldp_vc", "programme_sd_jwt"])
@pytest.mark.parametrize("fault", ["not_a_credential", "foreign_key"])
def test_status_list_faults(issuer_server: RunningIssuer, config: str, fault: Any) -> None:
    issued = flow.obtain(issuer_server, config, flow.HolderKey.p256())
    issuer_server.misbehaviour.status_list = fault
    report = verify_credential(parse_credential(_bytes(issued)), flow.cache_from(issuer_server))
    status = report.check(STATUS)
    expected = CheckStatus.FAILED if fault == "foreign_key" else CheckStatus.WARNING
    assert status.status is expected, status
    assert "not checked" in status.detail or "signature invalid" in status.detail


def test_settings_are_cleared_between_tests(issuer_server: RunningIssuer) -> None:
    # Every test above leaves its fault set; the fixture clears them.
    from wallet.issuer.server.misbehaviour import Misbehaviour

    assert issuer_server.misbehaviour == Misbehaviour()
