"""Fixtures for the wallet's network client tests: the reference issuer on 127.0.0.1
(tests.issuer.server_fixture), a raw loopback server for the network rules, and a wallet
driven through the CLI (tests.cli.conftest), made with a cheap KDF."""

from __future__ import annotations

import pytest

from tests.cli.conftest import PASSPHRASE, Run, RunFn, initialised, run, wallet_dir  # noqa: F401
from tests.exchange.rawserver import raw_server  # noqa: F401
from tests.issuer.server_fixture import http_server, issuer_server  # noqa: F401


@pytest.fixture
def wallet(initialised: RunFn) -> RunFn:  # noqa: F811
    """``run`` on an initialised wallet."""
    return initialised
