"""Serving the verifier endpoints with uvicorn in a background thread, for as long as
one request waits for its answer (``wallet request``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from wallet.errors import NetworkError
from wallet.verifier.app import Sessions, verifier_app
from wallet.verifier.listen import Listen

START_TIMEOUT_S = 10.0


class _Deferred:
    """The sessions need the bound port, so the app behind the mount comes later."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            await PlainTextResponse("not ready", 503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@contextmanager
def background(app: ASGIApp, listen: Listen) -> Iterator[int]:
    """``app`` served by uvicorn on a daemon thread until the block ends; yields the bound
    port (``listen.port`` 0 picks a free one). NetworkError when it cannot listen."""
    config = uvicorn.Config(
        app,
        host=listen.host,
        port=listen.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ssl_certfile=str(listen.certfile) if listen.certfile else None,
        ssl_keyfile=str(listen.keyfile) if listen.keyfile else None,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run()
        except BaseException as exc:  # reported to the waiting thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="verifier-server", daemon=True)
    thread.start()
    waited = 0.0
    while not server.started and thread.is_alive() and waited < START_TIMEOUT_S:
        thread.join(0.02)
        waited += 0.02
    if not server.started:
        server.should_exit = True
        thread.join(2)
        reason = f" ({failure[0]})" if failure else ""
        raise NetworkError(f"could not listen on {listen.host}:{listen.port}{reason}")
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)


@contextmanager
def serving(
    listen: Listen, make_sessions: Callable[[str], Sessions], *, mount: str = "/oid4vp"
) -> Iterator[Sessions]:
    """The verifier app listening on ``listen`` until the block ends; yields its sessions,
    made for the URL it is actually reachable at (the port is known once bound)."""
    from starlette.applications import Starlette
    from starlette.routing import Mount

    deferred = _Deferred()
    root = Starlette(routes=[Mount(mount, app=deferred)])
    with background(root, listen) as port:
        sessions = make_sessions(listen.base_url(port, mount))
        deferred.app = verifier_app(sessions)
        yield sessions
