"""The JavaScript peer (the Digital Bazaar stack) as a child process: installed with npm into
bench/.js/ (ignored, never committed), driven one JSON line at a time so the bench can
interleave its rounds with the wallet's. No npm, no node or no registry: ``start`` says why
and the bench goes on without the peer."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench import npm_peer
from wallet.verify import jsonld

HERE = Path(__file__).parent
SOURCE = HERE / "js"
TARGET = HERE / ".js"
FILES = ("package.json", "peer.mjs")
INSTALL_TIMEOUT_S = 300


def _install() -> str | None:
    """Install the peer into bench/.js; None when ready, else why it cannot be."""
    return npm_peer.install(SOURCE, TARGET, files=FILES, timeout_s=INSTALL_TIMEOUT_S)


def _contexts() -> dict[str, Any]:
    """The wallet's bundled contexts, served to the peer's document loader too."""
    return {url: jsonld.load_context(url) for url in jsonld.CONTEXT_FILES}


class Peer:
    """One node process: signs the credentials at start, then verifies on request."""

    def __init__(self, credential: dict[str, Any]) -> None:
        node = shutil.which("node")
        assert node is not None
        self._process = subprocess.Popen(
            [node, "peer.mjs"],
            cwd=TARGET,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._send({"contexts": _contexts(), "credential": credential})
        hello = self._receive()
        self.signed: dict[str, dict[str, Any]] = hello["signed"]
        self.versions: dict[str, str] = hello["versions"]

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()

    def _receive(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            assert self._process.stderr is not None
            error = self._process.stderr.read().strip().splitlines()
            raise RuntimeError(f"the JS peer stopped: {error[-1] if error else 'no output'}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def verify_ms(self, suite: str, iterations: int) -> float:
        """Milliseconds per credential over ``iterations`` verifications, timed in node."""
        self._send({"round": suite, "iterations": iterations})
        return float(self._receive()["ms"])

    def close(self) -> None:
        if self._process.poll() is None:
            self._send({"quit": True})
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


def start(credential: dict[str, Any]) -> tuple[Peer | None, str]:
    """The running peer, or None and the reason it is not there."""
    why = _install()
    if why is not None:
        return None, why
    try:
        return Peer(credential), "ok"
    except (RuntimeError, OSError, json.JSONDecodeError, KeyError) as exc:
        return None, f"the JS peer did not start: {exc}"
