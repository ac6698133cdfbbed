"""The fixture's promises to the tests that use it: fresh state per test, and a stopped
server replaced by a new one for the next test."""

from __future__ import annotations

import httpx
import pytest

from tests.issuer import flow
from tests.issuer.server_fixture import RunningIssuer

_SEEN: dict[str, str] = {}


def test_a_stopped_server_refuses_connections(issuer_server: RunningIssuer) -> None:
    flow.obtain(issuer_server, "programme_sd_jwt", flow.HolderKey.p256())
    _SEEN["base"] = issuer_server.base_url
    issuer_server.stop()
    assert not issuer_server.alive
    with pytest.raises(httpx.ConnectError):
        httpx.get(issuer_server.url("/.well-known/did.json"), verify=issuer_server.ssl_context())


def test_the_next_test_gets_a_new_server_with_fresh_state(issuer_server: RunningIssuer) -> None:
    assert issuer_server.alive and issuer_server.base_url != _SEEN.get("base")
    assert [r.id for r in issuer_server.issued()] == ["sample"]
    with issuer_server.client() as client:
        assert client.get("/.well-known/did.json").json()["id"] == issuer_server.did


def test_state_is_reset_between_tests_on_a_running_server(issuer_server: RunningIssuer) -> None:
    # The test before left nothing issued; this one issues and the next must not see it.
    assert [r.id for r in issuer_server.issued()] == ["sample"]
    issuer_server.issue("ldp_vc")
    _SEEN["port"] = issuer_server.base_url


def test_and_sees_nothing_from_the_one_before(issuer_server: RunningIssuer) -> None:
    assert issuer_server.base_url == _SEEN["port"]  # the same server, reused
    assert [r.id for r in issuer_server.issued()] == ["sample"]
