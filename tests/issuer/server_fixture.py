"""The reference issuer on 127.0.0.1, for the server's own tests and the wallet's client
tests. Import the fixtures by name where they are used:

    from tests.issuer.server_fixture import issuer_server  # noqa: F401
    from tests.issuer.server_fixture import http_server  # noqa: F401

``issuer_server`` (HTTPS, certificate from the issuer's own CA) and ``http_server`` (plain
http on loopback) each yield a ``RunningIssuer``. One server of each kind is started per
test session on a free port, on a thread, and reused: before each test its state is
reset (no offers, tokens, nonces or issued credentials but the sample OB 2.0 assertion)
and its misbehaviour settings are cleared, so every test starts from a fresh issuer.
Keys, port and CA stay. ``WALLET_CA_FILE`` is set to the CA for the test.

A test may ``stop()`` its server (to show that verification works offline); the next
test then gets a new one, on a new port.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from wallet.issuer.server import credentials
from wallet.issuer.server.app import Issuer
from wallet.issuer.server.misbehaviour import Misbehaviour
from wallet.issuer.server.runner import ServerThread, prepare
from wallet.issuer.server.state import Issued

CA_ENV = "WALLET_CA_FILE"


@dataclass
class RunningIssuer:
    thread: ServerThread
    state_dir: Path

    @property
    def issuer(self) -> Issuer:
        return self.thread.prepared.issuer

    @property
    def base_url(self) -> str:
        """B: the credential issuer identifier, https://localhost:PORT (or http://...)."""
        return self.issuer.config.base_url

    @property
    def did(self) -> str:
        return self.issuer.config.did

    @property
    def ca_file(self) -> Path | None:
        tls = self.thread.prepared.tls
        return tls.ca_file if tls else None

    @property
    def misbehaviour(self) -> Misbehaviour:
        return self.issuer.misbehaviour

    def url(self, path: str) -> str:
        return self.base_url + path

    def offer(
        self, config: str, tx_code: bool = False, by_reference: bool = False
    ) -> tuple[str, str | None]:
        """(openid-credential-offer:// URI, the tx_code or None) for one configuration."""
        made = self.issuer.offer([config], tx_code=tx_code, by_reference=by_reference)
        return made.uri, made.tx_code

    def issue(self, kind: str, holder_did: str | None = None) -> Issued:
        """A credential issued without the protocol (for ``wallet import URL``): kind is
        "ldp_vc", "jwt_vc_json", "dc+sd-jwt" or "ob2"; served at ``url(record.path)``."""
        holder = credentials.Holder(did=holder_did)
        record, _ = credentials.issue(
            self.issuer.store, self.issuer.config, self.issuer.keys, kind, holder
        )
        return record

    def revoke(self, credential_id: str) -> None:
        self.issuer.store.revoke(credential_id)

    def issued(self) -> list[Issued]:
        return self.issuer.store.issued()

    def ssl_context(self) -> ssl.SSLContext | bool:
        tls = self.thread.prepared.tls
        return tls.client_context() if tls else False

    def client(self, **kw: Any) -> httpx.Client:
        """An httpx client for this server (trusting only its CA)."""
        return httpx.Client(base_url=self.base_url, verify=self.ssl_context(), **kw)

    def reset(self) -> None:
        self.misbehaviour.reset()
        self.issuer.store.reset()

    def stop(self) -> None:
        self.thread.stop()

    @property
    def alive(self) -> bool:
        return self.thread.alive


_RUNNING: dict[str, RunningIssuer] = {}


def _server(kind: str, request: pytest.FixtureRequest) -> RunningIssuer:
    running = _RUNNING.get(kind)
    if running is None or not running.alive:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        state_dir = factory.mktemp(f"issuer-{kind}")
        prepared = prepare(state_dir, host="127.0.0.1", port=0, http=kind == "http")
        running = RunningIssuer(ServerThread(prepared).start(), state_dir)
        _RUNNING[kind] = running
        request.config.add_cleanup(running.stop)
    running.reset()
    return running


@pytest.fixture
def issuer_server(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningIssuer]:
    running = _server("https", request)
    assert running.ca_file is not None
    monkeypatch.setenv(CA_ENV, str(running.ca_file))
    yield running
    running.misbehaviour.reset()


@pytest.fixture
def http_server(request: pytest.FixtureRequest) -> Iterator[RunningIssuer]:
    running = _server("http", request)
    yield running
    running.misbehaviour.reset()
