"""Remote sharing with OpenID4VP 1.0, behind ``wallet.api``.

Holder: ``read_request`` takes a request (a link, or a file or QR picture holding one),
checks who is asking (wallet.exchange.oid4vp.request), evaluates its DCQL query against
the stored credentials and returns what the learner must see before anything is sent:
the ``Consent``. ``send_answer`` then builds the presentations and posts them;
``decline`` tells the verifier no. Nothing leaves the wallet before ``send_answer``.

Verifier: ``serve_request`` serves a request made from simple options and waits for its
one answer, judged as ``wallet verify-presentation`` judges a presentation file.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallet.errors import MalformedInput, NotFound, UsageError
from wallet.model import Verdict
from wallet.verifier.session import Outcome, RequestSpec
from wallet.verify.context import VerifyContext

_RANK = {
    Verdict.VALID: 0,
    Verdict.VALID_UNTRUSTED_ISSUER: 1,
    Verdict.UNVERIFIABLE: 2,
    Verdict.UNBOUND: 3,
    Verdict.INVALID: 4,
}

if TYPE_CHECKING:
    from wallet.api import Wallet
    from wallet.exchange.oid4vp.request import AuthorizationRequest
    from wallet.verifier.listen import Listen


@dataclass(frozen=True)
class SharedCredential:
    """One credential the answer would present, and exactly what the verifier would see."""

    query_id: str
    credential_id: str
    title: str
    issuer: str
    format: str
    requested: tuple[tuple[str, str], ...]  # (JSON Pointer, value) of the claims asked for
    disclosed: tuple[tuple[str, str], ...]  # selectively disclosed claims that go out
    clear: tuple[tuple[str, str], ...]  # claims every presentation of it shows
    whole: bool  # no selective disclosure: the whole credential would be shared
    alternatives: tuple[str, ...] = ()  # other stored credentials that would also do

    def to_dict(self) -> dict[str, Any]:
        def rows(items: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
            return [{"path": p, "value": v} for p, v in items]

        return {
            "query_id": self.query_id,
            "id": self.credential_id,
            "title": self.title,
            "issuer": self.issuer,
            "format": self.format,
            "whole_credential": self.whole,
            "requested": rows(self.requested),
            "disclosed": rows(self.disclosed),
            "also_shown": rows(self.clear),
            "alternatives": list(self.alternatives),
        }


@dataclass(frozen=True)
class Consent:
    client_id: str
    verified: bool
    how: str  # how the verifier was (or was not) verified, one line
    name: str | None  # what the verifier calls itself (not verified unless `verified`)
    purposes: tuple[str, ...]
    response_uri: str
    shared: tuple[SharedCredential, ...]
    unanswered_optional: tuple[str, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        """Whole credentials go out: the learner must confirm explicitly."""
        return any(s.whole for s in self.shared)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verifier": {
                "client_id": self.client_id,
                "verified": self.verified,
                "how": self.how,
                "name": self.name,
            },
            "purposes": list(self.purposes),
            "response_uri": self.response_uri,
            "needs_confirmation": self.needs_confirmation,
            "credentials": [s.to_dict() for s in self.shared],
            "unanswered_optional": list(self.unanswered_optional),
        }


@dataclass
class PendingAnswer:
    """A request read and checked, with the answer planned but not yet made."""

    request: AuthorizationRequest
    consent: Consent
    plan: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerOutcome:
    response_uri: str
    status: int
    redirect_uri: str | None
    shared: tuple[SharedCredential, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent_to": self.response_uri,
            "status": self.status,
            "redirect_uri": self.redirect_uri,
            "credentials": [s.to_dict() for s in self.shared],
        }


def is_request(text: str) -> bool:
    """An OpenID4VP request link (openid4vp://, or an https link with its parameters)."""
    from wallet.exchange.oid4vp.request import looks_like_request

    return looks_like_request(text)


def request_text(source: str) -> str:
    """The request link itself, or the one held by a file or the QR code in a picture."""
    from wallet.views import source_bytes

    text = source.strip()
    if "://" in text or text.startswith("?"):
        return text
    path = Path(source)
    if not path.is_file():
        raise NotFound(f"{source}: no such file, and not a request link")
    data = source_bytes(path)
    from wallet.sources import is_image

    if is_image(data):
        from wallet.present import qr

        texts = qr.read_qr_images([data], names=[source])
        links = [t.strip() for t in texts if is_request(t)]
        if not links:
            raise MalformedInput(f"{source}: its QR code holds no OpenID4VP request")
        return links[0]
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise MalformedInput(f"{source}: not a text file with a request link") from None


def _policy(timeout: float | None) -> Any:
    from wallet.exchange.oid4vp.request import request_policy

    policy = request_policy()
    if timeout is not None:
        policy = dataclasses.replace(policy, connect_timeout=timeout, read_timeout=timeout)
    return policy


def read_request(
    wallet: Wallet,
    source: str,
    *,
    verifier_cas: Sequence[Path] = (),
    timeout: float | None = None,
    prefer: Sequence[str] = (),
) -> PendingAnswer:
    """Read and check a request, and plan the answer from the stored credentials. Raises
    NotFound ("you have no credential that matches") when nothing answers it."""
    from wallet.exchange.net import Http
    from wallet.exchange.oid4vp import request, x509
    from wallet.views import source_bytes

    anchors = [c for p in verifier_cas for c in x509.load_anchors(source_bytes(p), str(p))]
    link = request_text(source)
    if not is_request(link) and not link.startswith("?"):
        raise MalformedInput(
            "not an OpenID4VP request (it starts neither openid4vp:// nor https://)"
        )
    with Http(_policy(timeout)) as http:
        req = request.read(link, http, wallet.verify_context(), anchors)
    return plan_answer(wallet, req, [wallet.resolve_id(p) for p in prefer])


def plan_answer(
    wallet: Wallet, req: AuthorizationRequest, prefer: Sequence[str] = ()
) -> PendingAnswer:
    """What answering ``req`` from this wallet would share (NotFound when nothing can)."""
    from wallet.exchange.oid4vp import answer, dcql

    signers = wallet.signers()
    stored = {s.id: s for s in wallet.list()}
    # Among several that match, offer the soundest first: valid before expired or revoked.
    soundest = sorted(stored.values(), key=lambda s: _RANK.get(s.report.verdict, len(_RANK)))
    candidates = [c for s in soundest if (c := answer.candidate(s.id, s.credential, signers))]
    found = dcql.matches(req.query, candidates)
    chosen = dcql.plan(req.query, found, prefer)
    shared = []
    plan: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for qid, picks in chosen.answers.items():
        for m in picks:
            credential = stored[m.key].credential
            view = answer.shown(credential, m.pointers)
            others = tuple(x.key for x in found[qid] if x.key != m.key)
            shared.append(
                SharedCredential(
                    qid,
                    m.key,
                    credential.title,
                    credential.issuer.name or credential.issuer.id or "",
                    req.query.by_id(qid).format,
                    view.requested,
                    view.disclosed,
                    view.clear,
                    view.whole,
                    others,
                )
            )
            plan.setdefault(qid, []).append((m.key, m.pointers))
    v = req.verifier
    consent = Consent(
        v.client_id,
        v.verified,
        v.how,
        v.name,
        tuple(req.purposes),
        req.response_uri,
        tuple(shared),
        tuple(chosen.unanswered_optional),
    )
    return PendingAnswer(req, consent, plan)


def send_answer(
    wallet: Wallet, pending: PendingAnswer, *, timeout: float | None = None
) -> AnswerOutcome:
    """Make the presentations the consent showed, bound to this verifier and its nonce,
    and post them."""
    from wallet.exchange.net import Http
    from wallet.exchange.oid4vp import answer

    req = pending.request
    answers = {
        qid: [(wallet.get(cid).credential, pointers) for cid, pointers in items]
        for qid, items in pending.plan.items()
    }
    token = answer.vp_token(
        answers, wallet.signers(), client_id=req.verifier.client_id, nonce=req.nonce
    )
    fields = {"vp_token": json.dumps(token, separators=(",", ":"))}
    if req.state is not None:
        fields["state"] = req.state
    with Http(_policy(timeout)) as http:
        delivered = answer.post(http, req.response_uri, fields)
    return AnswerOutcome(
        delivered.response_uri, delivered.status, delivered.redirect_uri, pending.consent.shared
    )


def decline(pending: PendingAnswer, *, timeout: float | None = None) -> None:
    """Tell the verifier the learner said no (error access_denied, section 8.5)."""
    from wallet.exchange.net import Http
    from wallet.exchange.oid4vp import answer

    req = pending.request
    fields = {"error": "access_denied", "error_description": "the holder declined"}
    if req.state is not None:
        fields["state"] = req.state
    with Http(_policy(timeout)) as http:
        answer.post(http, req.response_uri, fields)


# -- verifier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRequest:
    """A request being served: what to show the holder."""

    link: str
    client_id: str
    nonce: str
    request_uri: str | None
    response_uri: str
    query: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def serve_request(
    wallet: Wallet | None,
    spec: RequestSpec,
    listen: Listen,
    *,
    timeout: float,
    on_ready: Callable[[OpenRequest], None],
    signed: bool = True,
    max_age_s: int = 300,
    cancel: threading.Event | None = None,
) -> Outcome | None:
    """Serve one request until it is answered (its Outcome), or None when ``timeout``
    passes or ``cancel`` is set. Signed requests use the wallet's Ed25519 did:key;
    without a wallet they are unsigned."""
    from wallet.verifier.app import Sessions
    from wallet.verifier.serve import serving

    if signed and wallet is None:
        raise UsageError(
            "a signed request needs your wallet's key: drop --no-wallet, or use --unsigned"
        )
    signer = (
        next((s for s in wallet.signers() if s.did.startswith("did:key:z6Mk")), None)
        if wallet
        else None
    )
    # The session sets the clock itself when an answer comes in.
    ctx = wallet.verify_context() if wallet else VerifyContext()

    with serving(
        listen, lambda url: Sessions(url, lambda: ctx, signer=signer, max_age_s=max_age_s)
    ) as sessions:
        session = sessions.new(spec, signed=signed)
        on_ready(
            OpenRequest(
                session.link(),
                session.client_id,
                session.nonce,
                session.request_uri if signed else None,
                session.response_uri,
                session.query_json,
            )
        )
        return session.wait(timeout, cancel)
