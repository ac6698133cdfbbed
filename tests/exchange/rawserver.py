"""A tiny plain-http server on 127.0.0.1 for the network rules' unit tests: answers the
reference issuer does not give (a body without Content-Length of a chosen size, a chain of
N redirects, a 307 anywhere, a body that trickles in, an echo of the request headers, a
gzip bomb), and a log of every request it was sent."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class RawServer:
    server: ThreadingHTTPServer
    log: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    raw: RawServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        while sent < size:
            piece = b"0" * min(4096, size - sent)
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")

    def _drip(self, pieces: int) -> None:
        """A chunked body, one byte every 0.1 s: each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(pieces):
            self.wfile.write(b"1\r\n0\r\n")
            self.wfile.flush()
            time.sleep(0.1)
        self.wfile.write(b"0\r\n\r\n")

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = urlsplit(self.path)
        self.raw.log.append(
            Seen(self.command, parts.path, {k.lower(): v for k, v in self.headers.items()})
        )
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        head, _, arg = parts.path.strip("/").partition("/")
        if head == "ok":
            self._send(200, b'{"ok": true}', {"Content-Type": "application/json"})
        elif head == "length":  # a declared Content-Length of arg bytes
            self._send(200, b"0" * int(arg), {"Content-Type": "application/json"})
        elif head == "chunked":  # arg bytes, no Content-Length
            self._chunked(int(arg))
        elif head == "drip":  # arg bytes, 0.1 s apart
            self._drip(int(arg))
        elif head == "redirect":  # arg more redirects, then 200
            hops = int(arg)
            if hops == 0:
                self._send(200, b'{"arrived": true}', {"Content-Type": "application/json"})
            else:
                self._send(302, b"", {"Location": f"/redirect/{hops - 1}"})
        elif head == "to":  # 307 to ?url=
            self._send(307, b"", {"Location": query["url"]})
        elif head == "echo":
            body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
            self._send(200, body, {"Content-Type": "application/json"})
        elif head == "gzip":  # arg bytes of zeros, sent gzip-compressed (a few KB)
            body = gzip.compress(b"0" * int(arg))
            self._send(200, body, {"Content-Encoding": "gzip"})
        else:
            self._send(404, b"{}", {"Content-Type": "application/json"})

    def do_GET(self) -> None:
        self._handle()

    def do_CONNECT(self) -> None:  # as a proxy: logged, refused
        self.raw.log.append(Seen("CONNECT", self.path, dict(self.headers.items())))
        self._send(403, b"")

    def do_POST(self) -> None:
        self._handle()


_RUNNING: list[RawServer] = []


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    """One server per session on a free port; its request log is cleared for each test."""
    if not _RUNNING:
        handler = type("Handler", (_Handler,), {})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        raw = RawServer(server)
        handler.raw = raw
        threading.Thread(target=server.serve_forever, daemon=True).start()
        request.config.add_cleanup(server.server_close)  # cleanups run last first:
        request.config.add_cleanup(server.shutdown)  # stop serving, then close
        _RUNNING.append(raw)
    raw = _RUNNING[0]
    raw.log.clear()
    yield raw
