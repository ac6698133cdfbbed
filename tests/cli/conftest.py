from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

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

    def _run(
        *args: str,
        passphrase: str | None = PASSPHRASE,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
    ) -> Run:
        full_env = {"WALLET_PASSPHRASE": passphrase or ""}
        full_env.update(env or {})
        runner = CliRunner()
        result = runner.invoke(
            cli,
            ["--wallet", str(wallet_dir), *args],
            input=input,
            env=full_env,
            catch_exceptions=False,
        )
        return Run(result.exit_code, result.stdout, result.stderr)

    return _run


@pytest.fixture
def initialised(run: RunFn) -> RunFn:
    result = run("--json", "init", "--weak-kdf")
    assert result.exit_code == 0, result.stderr
    return run
