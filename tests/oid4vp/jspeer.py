"""The independent OpenID4VP peer (tests/oid4vp/js/peer.mjs) under node: installed with
npm into tests/oid4vp/.js/ (ignored, never committed) on first use, and reused while
package.json is unchanged. No node, no npm or no registry: ``install`` says why, and the
interop tests skip with that reason."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench import npm_peer

HERE = Path(__file__).parent
SOURCE = HERE / "js"
TARGET = HERE / ".js"
FILES = ("package.json", "peer.mjs")
INSTALL_TIMEOUT_S = 180
RUN_TIMEOUT_S = 60


def install() -> str | None:
    """Install the peer; None when ready, else why it cannot be."""
    return npm_peer.install(
        SOURCE, TARGET, files=FILES, timeout_s=INSTALL_TIMEOUT_S, npm_args=("--no-package-lock",)
    )


def run(command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One command of the peer; its JSON answer (with ``error`` when it failed)."""
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, "peer.mjs", command],
        check=False,
        cwd=TARGET,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"the peer printed nothing: {done.stderr[-800:]}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


class Verifier:
    """The library's verifier, serving one request on 127.0.0.1 until it is answered."""

    def __init__(self, payload: dict[str, Any]) -> None:
        node = shutil.which("node")
        assert node is not None
        self._process = subprocess.Popen(
            [node, "peer.mjs", "verifier"],
            cwd=TARGET,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(payload))
        self._process.stdin.close()
        first = self._process.stdout.readline()
        assert first, f"the peer's verifier did not start: {self._process.stderr.read()[-800:]}"  # type: ignore[union-attr]
        self.request: dict[str, Any] = json.loads(first)

    def result(self) -> dict[str, Any]:
        self._process.stdin = None  # closed after the request payload was written
        out, err = self._process.communicate(timeout=RUN_TIMEOUT_S)
        lines = out.strip().splitlines()
        assert lines, f"the peer's verifier printed no result: {err[-800:]}"
        answer: dict[str, Any] = json.loads(lines[-1])
        return answer

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(5)
