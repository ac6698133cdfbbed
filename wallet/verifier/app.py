"""The verifier's HTTP endpoints (Starlette), mountable under any path of another app:

- ``GET  {base}/request/{id}``  the signed request object (``oauth-authz-req+jwt``);
- ``POST {base}/request/{id}``  the same with the wallet's ``wallet_nonce`` (section 5.10);
- ``POST {base}/response/{id}`` the wallet's direct_post answer (one per request);
- with ``page=True``: the example web page (wallet.verifier.page): a form that makes a
  request, its QR code and link, and its verdict once answered.

``base_url`` is the public URL the app is reachable at (its mount point included).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import ed25519
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from wallet.present.service import Signer
from wallet.verifier.session import RequestSpec, Session
from wallet.verify import keys
from wallet.verify.context import VerifyContext

MAX_BODY = 2 * 1024 * 1024
MAX_SESSIONS = 200
SESSION_LIFETIME_S = 1800
NO_STORE = {"Cache-Control": "no-store"}


def ephemeral_signer() -> Signer:
    """A fresh Ed25519 did:key, for a verifier without a key of its own (the example page):
    its requests are signed, so they go by reference and fit a QR code."""
    private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key()
    return Signer(private, keys.did_key_from_public_key(public), keys.jwk_from_public_key(public))


class Sessions:
    """The open requests of one verifier, each with its own secrets; bounded and aged."""

    def __init__(
        self,
        base_url: str,
        ctx: Callable[[], VerifyContext],
        *,
        signer: Signer | None = None,
        max_age_s: int = 300,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._ctx = ctx
        self.signer = signer
        self.max_age_s = max_age_s
        self._sessions: dict[str, Session] = {}
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()

    def new(self, spec: RequestSpec, *, signed: bool = True) -> Session:
        session = Session(
            spec,
            self.base_url,
            self._ctx(),
            signer=self.signer if signed else None,
            max_age_s=self.max_age_s,
        )
        with self._lock:
            now = int(time.time())
            for sid in [
                s for s, v in self._sessions.items() if now - v.created > SESSION_LIFETIME_S
            ]:
                self._drop(sid)
            while len(self._sessions) >= MAX_SESSIONS:
                self._drop(next(iter(self._sessions)))
            self._sessions[session.id] = session
            self._keys[session.id] = secrets.token_urlsafe(16)
        return session

    def _drop(self, sid: str) -> None:
        self._sessions.pop(sid, None)
        self._keys.pop(sid, None)

    def get(self, sid: str) -> Session | None:
        return self._sessions.get(sid)

    def result_key(self, sid: str) -> str:
        return self._keys[sid]


async def _form(request: Request) -> dict[str, str] | Response:
    if (
        request.headers.get("content-type", "").split(";")[0].strip()
        != "application/x-www-form-urlencoded"
    ):
        return JSONResponse({"error": "invalid_request", "error_description": "send a form"}, 415)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return JSONResponse({"error": "invalid_request", "error_description": "too large"}, 413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "invalid_request", "error_description": "too large"}, 413)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return JSONResponse({"error": "invalid_request", "error_description": "not UTF-8"}, 400)
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return JSONResponse(
                {"error": "invalid_request", "error_description": f"{name} twice"}, 400
            )
        form[name] = value
    return form


def verifier_app(
    sessions: Sessions, *, page: bool = False, example: RequestSpec | None = None
) -> Starlette:
    """The endpoints for ``sessions``; mount it (``Mount('/verifier', app=...)``) or serve it.
    ``page`` adds the example web page (wallet.verifier.page), its form prefilled from
    ``example``."""
    from starlette.concurrency import run_in_threadpool

    def session_or_404(request: Request) -> Session | None:
        return sessions.get(request.path_params["sid"])

    async def request_object(request: Request) -> Response:
        session = session_or_404(request)
        if session is None or session.signer is None:
            return PlainTextResponse("no such request", 404)
        wallet_nonce = None
        if request.method == "POST":
            form = await _form(request)
            if isinstance(form, Response):
                return form
            wallet_nonce = form.get("wallet_nonce")
        jwt = session.request_object(wallet_nonce)
        return Response(jwt, media_type="application/oauth-authz-req+jwt", headers=NO_STORE)

    async def response(request: Request) -> Response:
        session = session_or_404(request)
        if session is None:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "no such request"}, 404
            )
        form = await _form(request)
        if isinstance(form, Response):
            return form
        status, body = await run_in_threadpool(session.receive, form)
        return JSONResponse(body, status, headers=NO_STORE)

    routes = [
        Route("/request/{sid}", request_object, methods=["GET", "POST"]),
        Route("/response/{sid}", response, methods=["POST"]),
    ]
    if page:
        from wallet.verifier.page import page_routes

        routes += page_routes(sessions, example)
    return Starlette(routes=routes)
