"""The example verifier's web page (``verifier_app(..., page=True)``): a form that makes a
request, then one page per request that shows its QR code and link while it waits, and the
verdict and what was disclosed once the holder has answered.

- ``GET  {base}/``                     the form (prefilled from an example, if given);
- ``GET  {base}/new?...``              makes the request, then 303 to its page;
- ``GET  {base}/session/{id}/{key}``   the request's page (refreshes itself while waiting);
- ``GET  {base}/result/{id}/{key}``    the same verdict as JSON.

The key is a second secret beside the request id, so whoever saw the request (its id is in
the request_uri) cannot read the answer. Everything from the request or the answer is
escaped: credential text is data.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from wallet.errors import WalletError
from wallet.formats import claimpath
from wallet.verifier.session import Outcome, RequestSpec, Session

NO_STORE = {"Cache-Control": "no-store"}
REFRESH_S = 2
FORMATS = ("dc+sd-jwt", "ldp_vc", "jwt_vc_json")
_HEAD = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>{refresh}"
    "<title>{title}</title></head><body>"
)


def _page(title: str, body: str, *, refresh: bool = False) -> str:
    meta = f"<meta http-equiv='refresh' content='{REFRESH_S}'>" if refresh else ""
    return _HEAD.format(refresh=meta, title=html.escape(title)) + body + "</body></html>"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def form(example: RequestSpec | None) -> str:
    ex = example or RequestSpec()
    options = "".join(
        f"<option{' selected' if f == ex.format else ''}>{f}</option>" for f in FORMATS
    )
    return _page(
        "Example verifier",
        "<h1>Ask for a credential (OpenID4VP)</h1>"
        "<form action='new'>"
        f"<p><label>Format <select name='format'>{options}</select></label>"
        "<p><label>Type (vct or VC type) "
        f"<input name='type' size='60' value='{_e(ex.type or '')}'></label>"
        "<p><label>Claims, comma separated "
        f"<input name='claims' size='60' value='{_e(','.join(ex.claims))}'></label>"
        f"<p><label>Purpose <input name='purpose' size='60' value='{_e(ex.purpose or '')}'>"
        "</label><p><button>Make the request</button></form>",
    )


def _credential_html(item: dict[str, Any]) -> str:
    title = item.get("title") or "(unreadable presentation)"
    rows = [
        f"<h3>{_e(title)}</h3>",
        f"<p>issuer: {_e(item.get('issuer') or 'unknown')} · format {_e(item['format'])}"
        f" · verdict <strong>{_e(item['verdict'])}</strong>",
    ]
    if item.get("whole_credential"):
        achievement = item.get("achievement")
        rows.append(
            "<p>The whole credential was shared"
            + (f" (achievement: {_e(achievement)})" if achievement else "")
        )
    else:
        cells = "".join(
            f"<tr><td><code>{_e(p)}</code></td>"
            f"<td>{_e(claimpath.lookup(item.get('claims'), p)[1])}</td></tr>"
            for p in item.get("disclosed") or []
        )
        rows.append(f"<table><caption>Disclosed</caption>{cells}</table>")
    failed = [c for c in item["checks"] if c["status"] in ("failed", "not_checked", "warning")]
    if failed:
        rows.append(
            "<ul>"
            + "".join(
                f"<li>{_e(c['status'])} {_e(c['name'])}: {_e(c['detail'])}</li>" for c in failed
            )
            + "</ul>"
        )
    return "".join(rows)


def verdict_html(outcome: Outcome) -> str:
    result = outcome.to_dict()
    parts = [f"<h1>Verdict: <span id='verdict'>{_e(result['verdict'])}</span></h1>"]
    if result["declined"]:
        parts.append(f"<p>The holder declined ({_e(result['declined'])}).")
    query = result["query"]
    parts.append(f"<p>Query: {_e(query['status'])}, {_e(query['detail'])}")
    parts.extend(_credential_html(item) for item in result["credentials"])
    return "".join(parts)


def waiting_html(session: Session, result_path: str) -> str:
    from wallet.present import qr

    link = session.link()
    try:
        svg = qr.to_svg(link).decode("utf-8")
    except WalletError:  # an unsigned request by value can be too long for one code
        svg = "<p>(too long for a QR code: open the link)"
    return (
        "<h1>Waiting for the answer</h1>"
        "<p>Scan the code with the learner's wallet, or give them the link"
        f" (<code>wallet respond 'LINK'</code>):{svg}"
        f"<p><a id='link' href='{_e(link)}'>{_e(link)}</a>"
        f"<p>This page refreshes itself; the verdict as JSON: "
        f"<a id='result' href='{_e(result_path)}'>{_e(result_path)}</a>"
    )


def page_routes(sessions: Any, example: RequestSpec | None = None) -> list[Route]:
    """The page's routes over ``sessions`` (a wallet.verifier.app.Sessions)."""

    def checked(request: Request) -> tuple[str, Session] | None:
        sid = request.path_params["sid"]
        session: Session | None = sessions.get(sid)
        if session is None or not secrets.compare_digest(
            request.path_params["key"], sessions.result_key(sid)
        ):
            return None
        return sid, session

    async def index(request: Request) -> Response:
        return HTMLResponse(form(example))

    async def new(request: Request) -> Response:
        q = request.query_params
        spec = RequestSpec(
            format=q.get("format") or "dc+sd-jwt",
            type=q.get("type") or None,
            claims=tuple(c.strip() for c in (q.get("claims") or "").split(",") if c.strip()),
            purpose=q.get("purpose") or None,
            name=(example.name if example else None) or "Example verifier",
        )
        try:
            session = sessions.new(spec, signed=sessions.signer is not None)
        except WalletError as exc:
            return HTMLResponse(_page("Not made", f"<p>{_e(exc.message)}"), 400)
        root = request.scope.get("root_path", "")
        target = f"{root}/session/{session.id}/{sessions.result_key(session.id)}"
        return RedirectResponse(target, 303, headers=NO_STORE)

    async def session_page(request: Request) -> Response:
        found = checked(request)
        if found is None:
            return HTMLResponse(_page("Not found", "<p>No such request."), 404)
        sid, session = found
        root = request.scope.get("root_path", "")
        if session.outcome is None:
            result_path = f"{root}/result/{sid}/{sessions.result_key(sid)}"
            body = waiting_html(session, result_path)
            return HTMLResponse(_page("Request", body, refresh=True), headers=NO_STORE)
        return HTMLResponse(_page("Verdict", verdict_html(session.outcome)), headers=NO_STORE)

    async def result(request: Request) -> Response:
        found = checked(request)
        if found is None:
            return JSONResponse({"error": "not_found"}, 404)
        outcome = found[1].outcome
        return JSONResponse(outcome.to_dict() if outcome else {"verdict": None}, headers=NO_STORE)

    return [
        Route("/", index),
        Route("/new", new),
        Route("/session/{sid}/{key}", session_page),
        Route("/result/{sid}/{key}", result),
    ]
