"""Test servers on 127.0.0.1: any Starlette app (a verifier that misbehaves on purpose)
on a free port, on a thread, for the length of a ``with`` block."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp

from wallet.api import Listen, OpenRequest, RequestSpec, VerifierOutcome, Wallet, serve_request
from wallet.verifier.serve import background


@contextmanager
def http_app(app: ASGIApp) -> Iterator[str]:
    """``app`` served at the yielded base URL (http://127.0.0.1:PORT)."""
    with background(app, Listen()) as port:
        yield f"http://127.0.0.1:{port}"


@dataclass
class Asking:
    """A request being served by ``serve_request`` on a thread."""

    request: OpenRequest
    thread: threading.Thread
    cancel: threading.Event
    result: dict[str, Any] = field(default_factory=dict)

    def outcome(self, timeout: float = 20) -> VerifierOutcome | None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the verifier is still waiting"
        if "error" in self.result:
            raise self.result["error"]
        outcome: VerifierOutcome | None = self.result.get("outcome")
        return outcome


@contextmanager
def asking(
    wallet: Wallet | None, spec: RequestSpec, *, signed: bool = True, timeout: float = 20
) -> Iterator[Asking]:
    """``wallet`` as a verifier asking for ``spec`` on loopback, until answered or the
    block ends (then it stops waiting)."""
    ready = threading.Event()
    cancel = threading.Event()
    holder: dict[str, OpenRequest] = {}
    result: dict[str, Any] = {}

    def on_ready(request: OpenRequest) -> None:
        holder["request"] = request
        ready.set()

    def run() -> None:
        try:
            result["outcome"] = serve_request(
                wallet,
                spec,
                Listen(),
                timeout=timeout,
                on_ready=on_ready,
                signed=signed,
                cancel=cancel,
            )
        except BaseException as exc:  # reported by Asking.outcome
            result["error"] = exc
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the verifier did not start"
    if "error" in result:
        raise result["error"]
    try:
        yield Asking(holder["request"], thread, cancel, result)
    finally:
        cancel.set()
        thread.join(10)
