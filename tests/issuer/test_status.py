"""Status lists and revocation: a revoke flips exactly the credential's bit (read here by
decoding the lists ourselves), and the wallet's verifier then says revoked."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import zlib
from typing import Any

import pytest

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer
from wallet.api import parse_credential, verify_credential
from wallet.model import SIGNATURE, STATUS, CheckStatus, Verdict


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bitstring_bits(server: RunningIssuer) -> bytes:
    with server.client() as client:
        doc = client.get("/status/bitstring/1").json()
    encoded = doc["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    return gzip.decompress(_b64(encoded[1:]))


def _bit_msb(bits: bytes, index: int) -> int:
    return (bits[index // 8] >> (7 - index % 8)) & 1


def _token_parts(server: RunningIssuer) -> tuple[dict[str, Any], dict[str, Any]]:
    with server.client() as client:
        response = client.get("/status/token/1")
    assert response.headers["content-type"] == "application/statuslist+jwt"
    head, body, _ = response.text.split(".")
    return json.loads(_b64(head)), json.loads(_b64(body))


def _token_bit(server: RunningIssuer, index: int) -> int:
    _, payload = _token_parts(server)
    data = zlib.decompress(_b64(payload["status_list"]["lst"]))
    return (data[index // 8] >> (index % 8)) & 1


def _index(server: RunningIssuer, config: str) -> tuple[str, int]:
    [record] = [r for r in server.issued() if r.config_id == config]
    return record.id, record.status_index


def _bytes(value: Any) -> bytes:
    return json.dumps(value).encode() if isinstance(value, dict) else value.encode()


def test_bitstring_list_credential_shape_and_signature(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        data = client.get("/status/bitstring/1").content
    doc = json.loads(data)
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["issuer"] == issuer_server.did
    assert doc["credentialSubject"]["statusPurpose"] == "revocation"
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert doc["proof"]["verificationMethod"] == issuer_server.did + "#key-1"
    assert len(_bitstring_bits(issuer_server)) * 8 == 131072
    report = verify_credential(parse_credential(data), flow.cache_from(issuer_server))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED, report.check(SIGNATURE)


def test_token_status_list_shape(issuer_server: RunningIssuer) -> None:
    header, payload = _token_parts(issuer_server)
    assert header == {"typ": "statuslist+jwt", "kid": "key-2", "alg": "ES256"}
    assert payload["iss"] == issuer_server.base_url
    assert payload["sub"] == issuer_server.url("/status/token/1")
    assert payload["status_list"]["bits"] == 1 and isinstance(payload["iat"], int)


@pytest.mark.parametrize("config", ["programme_ldp_vc", "programme_jwt_vc"])
def test_revoke_flips_the_bitstring_bit(issuer_server: RunningIssuer, config: str) -> None:
    issued = flow.obtain(issuer_server, config, flow.HolderKey.p256())
    flow.obtain(issuer_server, config, flow.HolderKey.p256())
    doc = issued if isinstance(issued, dict) else json.loads(_b64(issued.split(".")[1]))
    first = doc["id"].rsplit("/", 1)[1]
    records = {r.id: r.status_index for r in issuer_server.issued() if r.config_id == config}
    index = records.pop(first)
    [other_index] = records.values()
    before = _bitstring_bits(issuer_server)
    assert not any(before)
    ctx = flow.cache_from(issuer_server)
    assert verify_credential(parse_credential(_bytes(issued)), ctx).verdict is (
        Verdict.VALID_UNTRUSTED_ISSUER
    )
    issuer_server.revoke(first)
    after = _bitstring_bits(issuer_server)
    assert _bit_msb(after, index) == 1 and _bit_msb(after, other_index) == 0
    assert sum(bin(b).count("1") for b in after) == 1
    report = verify_credential(parse_credential(_bytes(issued)), flow.cache_from(issuer_server))
    assert (
        report.check(STATUS).status is CheckStatus.FAILED
        and "revoked" in report.check(STATUS).detail
    )
    assert report.verdict is Verdict.INVALID
    # The token list is untouched.
    assert not any(zlib.decompress(_b64(_token_parts(issuer_server)[1]["status_list"]["lst"])))


def test_revoke_flips_the_token_status_list_bit(issuer_server: RunningIssuer) -> None:
    issued = flow.obtain(issuer_server, "programme_sd_jwt", flow.HolderKey.p256())
    credential_id, index = _index(issuer_server, "programme_sd_jwt")
    assert _token_bit(issuer_server, index) == 0
    assert (
        verify_credential(parse_credential(issued.encode()), flow.cache_from(issuer_server))
        .check(STATUS)
        .status
        is CheckStatus.PASSED
    )
    issuer_server.revoke(credential_id)
    assert _token_bit(issuer_server, index) == 1
    report = verify_credential(parse_credential(issued.encode()), flow.cache_from(issuer_server))
    assert report.check(STATUS).status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID
    assert not any(_bitstring_bits(issuer_server))


def test_revoke_from_another_process_takes_effect_at_once(issuer_server: RunningIssuer) -> None:
    flow.obtain(issuer_server, "programme_sd_jwt", flow.HolderKey.p256())
    credential_id, index = _index(issuer_server, "programme_sd_jwt")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wallet.issuer",
            "revoke",
            credential_id[:10],
            "--state-dir",
            str(issuer_server.state_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"revoked {credential_id}" in done.stdout
    assert _token_bit(issuer_server, index) == 1
    assert [r.revoked for r in issuer_server.issued() if r.id == credential_id] == [True]


def _ob2_context(server: RunningIssuer, assertion_path: str) -> Any:
    return flow.cache_from(server, assertion_path)


def test_ob2_hosted_assertion_verifies_then_shows_revoked(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        data = client.get("/ob2/assertions/sample").content
        issuer = client.get("/ob2/issuer").json()
    assert json.loads(data)["verification"] == {"type": "hosted"}
    assert issuer["revocationList"] == issuer_server.url("/ob2/revocations")
    credential = parse_credential(data)
    report = verify_credential(credential, _ob2_context(issuer_server, "/ob2/assertions/sample"))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED, report.check(SIGNATURE)
    assert report.check(STATUS).status is CheckStatus.PASSED, report.check(STATUS)
    issuer_server.revoke("sample")
    with issuer_server.client() as client:
        revocations = client.get("/ob2/revocations").json()
        hosted = client.get("/ob2/assertions/sample").json()
    assert [e["id"] for e in revocations["revokedAssertions"]] == [
        issuer_server.url("/ob2/assertions/sample")
    ]
    assert hosted["revoked"] is True
    report = verify_credential(credential, _ob2_context(issuer_server, "/ob2/assertions/sample"))
    assert report.check(STATUS).status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


def test_ob2_baked_png_holds_the_assertion(issuer_server: RunningIssuer) -> None:
    from wallet.formats import baking

    with issuer_server.client() as client:
        png = client.get("/ob2/assertions/sample.png")
        hosted = client.get("/ob2/assertions/sample").json()
        image = client.get("/ob2/badges/data-analytics-foundations.png")
    assert png.headers["content-type"] == "image/png"
    assert image.headers["content-type"] == "image/png"
    assert json.loads(baking.unbake(png.content)) == hosted
    # The baked badge names its badge class by URL: the title needs the cached class.
    credential = parse_credential(png.content)
    assert credential.document == hosted


def test_issue_more_ob2_assertions_and_ob3_by_url(issuer_server: RunningIssuer) -> None:
    record = issuer_server.issue("ob2")
    with issuer_server.client() as client:
        assert client.get(record.path).json()["id"] == issuer_server.url(record.path)
        vc = issuer_server.issue("ldp_vc", holder_did="did:example:learner")
        served = client.get(vc.path)
        svg = client.get(vc.path + ".svg")
    assert served.headers["content-type"] == "application/vc+ld+json"
    assert json.loads(served.content)["credentialSubject"]["id"] == "did:example:learner"
    assert svg.headers["content-type"] == "image/svg+xml"
    from wallet.formats import baking

    assert json.loads(baking.unbake(svg.content)) == json.loads(served.content)
