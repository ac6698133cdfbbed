"""Test-only misbehaviour: settings a test flips on the app object to make the issuer fail
in one known way. They are plain attributes of ``app.state.misbehaviour``; no request can
reach or change them.

Transport faults (``slow``, ``huge``, ``redirect_loop``, ``redirect_to_http``) apply to
every path, or only to paths starting with ``target`` when it is set. The others act where
their name says (see each field).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MetadataFault = Literal["not_json", "wrong_shape", "wrong_issuer"]
NonceFault = Literal["missing", "wrong"]
StatusFault = Literal["not_a_credential", "foreign_key"]
CHUNK = 64 * 1024


@dataclass
class Misbehaviour:
    # Seconds to wait before answering.
    slow: float = 0.0
    # A response body of this many bytes, streamed without a Content-Length.
    huge: int = 0
    # 302 to the same URL, forever.
    redirect_loop: bool = False
    # 302 to this http URL (a bare origin gets the request's path and query appended).
    redirect_to_http: str | None = None
    # Limit the four faults above to paths starting with this (e.g. "/credential").
    target: str | None = None
    # /.well-known/openid-credential-issuer: not JSON, JSON of the wrong shape, or metadata
    # whose credential_issuer is another issuer.
    malformed_metadata: MetadataFault | None = None
    # /token answers 500 {"error": "server_error"}.
    token_error: bool = False
    # "missing": /nonce answers without a c_nonce; "wrong": /credential refuses every
    # c_nonce with invalid_nonce (a fresh one included).
    c_nonce: NonceFault | None = None
    # Credentials are handed out (by /credential and /credentials/ID) with a corrupted
    # signature; the register keeps the good bytes.
    bad_signature: bool = False
    # New offers name this configuration id, listed in the metadata with format mso_mdoc.
    offer_config: str | None = None
    # /.well-known/did.json lists only a key that signs nothing.
    did_document_without_key: bool = False
    # The status lists: not a credential at all, or signed by a key not the issuer's.
    status_list: StatusFault | None = None

    def reset(self) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, field.default)

    def applies_to(self, path: str) -> bool:
        return self.target is None or path.startswith(self.target)


def _redirect_target(base: str, request: Request) -> str:
    stripped = base.rstrip("/")
    if stripped.count("/") > 2:  # the URL has its own path: use it as it is
        return base
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{stripped}{request.url.path}{query}"


async def _huge_body(size: int) -> AsyncIterator[bytes]:
    block = b"[" + b"0," * (CHUNK // 2 - 1) + b"0"
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        sent += len(piece)
        yield piece


class MisbehaviourMiddleware:
    """Pure ASGI middleware for the transport faults (it never buffers a body)."""

    def __init__(self, app: ASGIApp, settings: Misbehaviour) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        m = self.settings
        if not m.applies_to(request.url.path):
            await self.app(scope, receive, send)
            return
        if m.slow > 0:
            await asyncio.sleep(m.slow)
        response: Response | None = None
        if m.redirect_loop:
            response = RedirectResponse(str(request.url), status_code=302)
        elif m.redirect_to_http:
            response = RedirectResponse(_redirect_target(m.redirect_to_http, request), 302)
        elif m.huge > 0:
            response = StreamingResponse(_huge_body(m.huge), media_type="application/json")
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


def corrupt_jws(text: str) -> str:
    """A compact JWS (or SD-JWT) whose signature no longer matches: one byte flipped."""
    head, sep, rest = text.partition("~")
    signing_input, _, signature = head.rpartition(".")
    first = "B" if signature[:1] != "B" else "C"
    return f"{signing_input}.{first}{signature[1:]}{sep}{rest}"


def corrupt_proof_value(value: str) -> str:
    """A base58 multibase proofValue with one character changed (still base58)."""
    last = "2" if value[-1:] != "2" else "3"
    return value[:-1] + last
