"""Fixtures for the wallet's network client tests: the reference issuer on 127.0.0.1
(tests.issuer.server_fixture) and a wallet driven through the CLI, made with a cheap KDF."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.exchange.rawserver import raw_server  # noqa: F401
from tests.issuer.server_fixture import http_server, issuer_server  # noqa: F401
from wallet.cli import cli

PASSPHRASE = "correct horse battery staple"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


RunFn = Callable[..., Run]


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Path:
    return tmp_path / "wallet"


@pytest.fixture
def run(wallet_dir: Path, monkeypatch: pytest.MonkeyPatch) -> RunFn:
    monkeypatch.delenv("WALLET_HOME", raising=False)

    def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        full_env = {"WALLET_PASSPHRASE": PASSPHRASE, **(env or {})}
        result = CliRunner().invoke(
            cli,
            ["--wallet", str(wallet_dir), *args],
            input=input,
            env=full_env,
            catch_exceptions=False,
        )
        return Run(result.exit_code, result.stdout, result.stderr)

    return _run


@pytest.fixture
def wallet(run: RunFn) -> RunFn:
    """``run`` on an initialised wallet."""
    result = run("--json", "init", "--weak-kdf")
    assert result.exit_code == 0, result.stderr
    return run
