"""Every token and credential error the server answers, each beside the honest request
that succeeds (so a refusal is the check working, not the server being broken)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer

SD = "programme_sd_jwt"


def _error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error, response.text
    assert response.json().get("error_description")


# -- token endpoint ---------------------------------------------------------------------------


def test_a_pre_authorized_code_is_single_use(issuer_server: RunningIssuer) -> None:
    uri, _ = issuer_server.offer(SD)
    code = flow.pre_authorized_code(flow.offer_of(uri))
    with issuer_server.client() as client:
        assert flow.token(client, code).status_code == 200
        _error(flow.token(client, code), 400, "invalid_grant")


def test_unknown_code_is_invalid_grant(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        _error(flow.token(client, "not-a-code"), 400, "invalid_grant")


def test_wrong_tx_code_is_invalid_grant_and_the_right_one_still_works(
    issuer_server: RunningIssuer,
) -> None:
    uri, tx = issuer_server.offer(SD, tx_code=True)
    assert tx is not None
    code = flow.pre_authorized_code(flow.offer_of(uri))
    wrong = "000000" if tx != "000000" else "111111"
    with issuer_server.client() as client:
        response = flow.token(client, code, wrong)
        _error(response, 400, "invalid_grant")
        assert "4 tries left" in response.json()["error_description"]
        assert flow.token(client, code, tx).status_code == 200


def test_tx_code_guessing_stops_after_five_tries(issuer_server: RunningIssuer) -> None:
    uri, tx = issuer_server.offer(SD, tx_code=True)
    code = flow.pre_authorized_code(flow.offer_of(uri))
    wrong = "000000" if tx != "000000" else "111111"
    with issuer_server.client() as client:
        for _ in range(5):
            _error(flow.token(client, code, wrong), 400, "invalid_grant")
        _error(flow.token(client, code, tx), 400, "invalid_grant")


def test_missing_or_unexpected_tx_code_is_invalid_request(issuer_server: RunningIssuer) -> None:
    # OID4VCI 1.0 section 6.3: invalid_request for both; invalid_grant only for a wrong one.
    needs, tx = issuer_server.offer(SD, tx_code=True)
    plain, _ = issuer_server.offer(SD)
    with issuer_server.client() as client:
        _error(
            flow.token(client, flow.pre_authorized_code(flow.offer_of(needs))),
            400,
            "invalid_request",
        )
        _error(
            flow.token(client, flow.pre_authorized_code(flow.offer_of(plain)), "123456"),
            400,
            "invalid_request",
        )
        # Neither refusal used the codes up.
        assert (
            flow.token(client, flow.pre_authorized_code(flow.offer_of(needs)), tx).status_code
            == 200
        )
        assert flow.token(client, flow.pre_authorized_code(flow.offer_of(plain))).status_code == 200


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({"pre-authorized_code": "x"}, "invalid_request"),
        ({"grant_type": flow.PRE_AUTH}, "invalid_request"),
    ],
)
def test_malformed_token_requests(
    issuer_server: RunningIssuer, form: dict[str, str], error: str
) -> None:
    with issuer_server.client() as client:
        _error(client.post("/token", data=form), 400, error)


def test_token_request_must_be_a_form_without_repeats(issuer_server: RunningIssuer) -> None:
    uri, _ = issuer_server.offer(SD)
    code = flow.pre_authorized_code(flow.offer_of(uri))
    with issuer_server.client() as client:
        as_json = {"grant_type": flow.PRE_AUTH, "pre-authorized_code": code}
        _error(client.post("/token", json=as_json), 400, "invalid_request")
        repeated = f"grant_type={flow.PRE_AUTH}&pre-authorized_code={code}&pre-authorized_code=x"
        headers = {"content-type": "application/x-www-form-urlencoded"}
        _error(client.post("/token", content=repeated, headers=headers), 400, "invalid_request")
        assert flow.token(client, code).status_code == 200


# -- credential endpoint ----------------------------------------------------------------------


def _request(server: RunningIssuer, proof_of: object = None, **kw: object) -> httpx.Response:
    """A credential request for SD whose proof is made by ``proof_of(holder, aud, nonce)``."""
    holder = flow.HolderKey.p256()
    with server.client() as client:
        access = flow.access_token(client, server, SD)
        nonce = flow.nonce(client)
        make = proof_of or (lambda h, aud, n: h.proof(aud=aud, nonce=n))
        proof = make(holder, server.base_url, nonce)  # type: ignore[operator]
        return flow.credential_request(client, access, SD, proof, **kw)


def test_honest_request_control(issuer_server: RunningIssuer) -> None:
    assert _request(issuer_server).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda h, aud, n: h.proof(aud="https://other.example", nonce=n), id="aud"),
        pytest.param(
            lambda h, aud, n: h.proof(aud=aud, nonce=n, iat=time.time() - 600), id="stale"
        ),
        pytest.param(
            lambda h, aud, n: h.proof(aud=aud, nonce=n, iat=time.time() + 600), id="future"
        ),
        pytest.param(lambda h, aud, n: h.proof(aud=aud, nonce=n, typ="JWT"), id="typ"),
        pytest.param(
            lambda h, aud, n: h.proof(aud=aud, nonce=n, signer=flow.HolderKey.p256()),
            id="signature",
        ),
        pytest.param(
            lambda h, aud, n: h.proof(aud=aud, nonce=n, extra_header={"kid": "did:key:zX#zX"}),
            id="jwk-and-kid",
        ),
        pytest.param(lambda h, aud, n: h.proof(aud=aud, nonce=n, binding="none"), id="no-key"),
        pytest.param(
            lambda h, aud, n: h.proof(
                aud=aud,
                nonce=n,
                alg="ES384",
                signer=flow.HolderKey(flow.ec.generate_private_key(flow.ec.SECP384R1())),
            ),
            id="alg-not-allowed",
        ),
        pytest.param(lambda h, aud, n: "not.a.jwt", id="garbage"),
    ],
)
def test_bad_proofs_are_invalid_proof(issuer_server: RunningIssuer, make: object) -> None:
    _error(_request(issuer_server, make), 400, "invalid_proof")


def test_proof_with_a_private_jwk_is_refused(issuer_server: RunningIssuer) -> None:
    def leaky(h: flow.HolderKey, aud: str, n: str) -> str:
        private = h.jose().as_dict(private=True)
        return h.proof(aud=aud, nonce=n, binding="none", extra_header={"jwk": private})

    _error(_request(issuer_server, leaky), 400, "invalid_proof")


def test_a_kid_of_another_did_method_is_refused(issuer_server: RunningIssuer) -> None:
    def web(h: flow.HolderKey, aud: str, n: str) -> str:
        return h.proof(aud=aud, nonce=n, binding="none", extra_header={"kid": "did:web:x#k"})

    _error(_request(issuer_server, web), 400, "invalid_proof")


def test_missing_nonce_is_invalid_nonce(issuer_server: RunningIssuer) -> None:
    _error(
        _request(issuer_server, lambda h, aud, n: h.proof(aud=aud, nonce=None)),
        400,
        "invalid_nonce",
    )


def test_unknown_nonce_is_invalid_nonce(issuer_server: RunningIssuer) -> None:
    make = lambda h, aud, n: h.proof(aud=aud, nonce="made-up")  # noqa: E731
    _error(_request(issuer_server, make), 400, "invalid_nonce")


def test_a_nonce_is_single_use(issuer_server: RunningIssuer) -> None:
    holder = flow.HolderKey.p256()
    with issuer_server.client() as client:
        access = flow.access_token(client, issuer_server, SD)
        proof = holder.proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
        assert flow.credential_request(client, access, SD, proof).status_code == 200
        _error(flow.credential_request(client, access, SD, proof), 400, "invalid_nonce")
        # A fresh nonce on the same token works again.
        again = holder.proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
        assert flow.credential_request(client, access, SD, again).status_code == 200


def test_config_not_in_the_offer_is_unknown_credential_configuration(
    issuer_server: RunningIssuer,
) -> None:
    holder = flow.HolderKey.p256()
    with issuer_server.client() as client:
        access = flow.access_token(client, issuer_server, SD)
        for other in ("programme_ldp_vc", "no_such_config"):
            proof = holder.proof(aud=issuer_server.base_url, nonce=flow.nonce(client))
            response = flow.credential_request(client, access, other, proof)
            _error(response, 400, "unknown_credential_configuration")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credential_configuration_id": SD, "proof": {"proof_type": "jwt", "jwt": "x"}},
        {"credential_configuration_id": SD, "proofs": {"jwt": ["a", "b"]}},
        [1, 2],
    ],
    ids=["empty", "draft-proof", "batch", "not-an-object"],
)
def test_malformed_credential_requests(issuer_server: RunningIssuer, body: object) -> None:
    with issuer_server.client() as client:
        access = flow.access_token(client, issuer_server, SD)
        response = client.post(
            "/credential", json=body, headers={"Authorization": f"Bearer {access}"}
        )
    _error(response, 400, "invalid_credential_request")


def test_credential_without_a_proof_is_invalid_proof(issuer_server: RunningIssuer) -> None:
    with issuer_server.client() as client:
        access = flow.access_token(client, issuer_server, SD)
        _error(flow.credential_request(client, access, SD, None), 400, "invalid_proof")


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc"])
def test_bad_access_token_is_401_invalid_token(
    issuer_server: RunningIssuer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with issuer_server.client() as client:
        response = client.post("/credential", json={}, headers=headers)
    _error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_nothing_is_issued_by_refused_requests(issuer_server: RunningIssuer) -> None:
    before = len(issuer_server.issued())
    _request(issuer_server, lambda h, aud, n: h.proof(aud="https://x.example", nonce=n))
    assert len(issuer_server.issued()) == before
    assert _request(issuer_server).status_code == 200
    assert len(issuer_server.issued()) == before + 1
