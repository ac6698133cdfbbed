"""Running the issuer under uvicorn: in the foreground (``serve``) or on a thread (tests).

The socket is bound first, so port 0 gets a free port whose number is known before the
app is made: the public URL (and with it the did:web) names the real port.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from wallet.errors import NetworkError, UsageError
from wallet.issuer.server.app import Issuer, create_app
from wallet.issuer.server.config import LOOPBACK_HOSTS, IssuerConfig, check_public_url
from wallet.issuer.server.state import write_atomic
from wallet.issuer.server.tls import TlsFiles, ensure_tls

SERVER_FILE = "server.json"


def bind(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        family = socket.AF_INET  # a host name: uvicorn's default family
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it each keep-alive response waits ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise NetworkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@dataclass
class Prepared:
    """A bound socket and the app and server that will answer on it."""

    sock: socket.socket
    app: Starlette
    server: uvicorn.Server
    tls: TlsFiles | None

    @property
    def issuer(self) -> Issuer:
        issuer: Issuer = self.app.state.issuer
        return issuer

    @property
    def base_url(self) -> str:
        return self.issuer.config.base_url


def prepare(
    state_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    http: bool = False,
    public_url: str | None = None,
) -> Prepared:
    if http and host not in LOOPBACK_HOSTS:
        raise UsageError("--http serves plain http on loopback only (--host 127.0.0.1 or ::1)")
    if public_url is not None:
        check_public_url(public_url)  # a bad URL is a usage error, whatever the port does
    state_dir.mkdir(parents=True, exist_ok=True)
    sock = bind(host, port)
    real_port = sock.getsockname()[1]
    scheme = "http" if http else "https"
    config = IssuerConfig.create(public_url or f"{scheme}://localhost:{real_port}", state_dir)
    tls = None if http else ensure_tls(state_dir, _hostname(config.base_url))
    app = create_app(config)
    uv_config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
    )
    server = uvicorn.Server(uv_config)
    record = {"public_url": config.base_url, "pid_started": int(time.time())}
    write_atomic(state_dir / SERVER_FILE, json.dumps(record).encode())
    return Prepared(sock, app, server, tls)


def _hostname(url: str) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname


def last_public_url(state_dir: Path) -> str | None:
    """The public URL the issuer last served under from ``state_dir``, if any."""
    try:
        data = json.loads((state_dir / SERVER_FILE).read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    url = data.get("public_url") if isinstance(data, dict) else None
    return url if isinstance(url, str) else None


class ServerThread:
    """A prepared server answering on a daemon thread until ``stop()``."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self._thread = threading.Thread(
            target=prepared.server.run, kwargs={"sockets": [prepared.sock]}, daemon=True
        )

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.prepared.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise NetworkError("the reference issuer did not start")
            time.sleep(0.01)
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self.prepared.server.should_exit

    def stop(self) -> None:
        self.prepared.server.should_exit = True
        self._thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.prepared.sock.close()
