"""One OpenID4VP request and its answer, as the verifier holds them.

A session makes the request (a DCQL query from simple options, a fresh nonce and state,
the client identifier: ``decentralized_identifier:<the wallet's did:key>`` with a signed
request object, or ``redirect_uri:<response_uri>`` with the request by value) and takes
exactly one answer. The answer is judged by wallet.present.service.verify, the function
behind ``wallet verify-presentation``, with audience = client_id and nonce = the request's;
then against the query (right credentials, requested claims present). A second answer,
or one for another state, is refused.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.exchange.oid4vp import dcql
from wallet.jsonguard import load_json
from wallet.model import Check, CheckStatus, Verdict, VerificationReport
from wallet.present.service import PresentationResult, PresentedItem, Signer
from wallet.present.service import verify as verify_presentation
from wallet.verify import jws
from wallet.verify.context import VerifyContext

JAR_TYP = "oauth-authz-req+jwt"
SELF_ISSUED = "https://self-issued.me/v2"
REQUEST_LIFETIME_S = 600
MAX_PRESENTATIONS = 20
_FORMAT_OF_PART = {"sd-jwt": dcql.SD_JWT, "vp-ldp": dcql.LDP_VC, "vp-jwt": dcql.JWT_VC}
VP_FORMATS = {
    dcql.SD_JWT: {"sd-jwt_alg_values": ["EdDSA", "ES256"], "kb-jwt_alg_values": ["EdDSA", "ES256"]},
    dcql.LDP_VC: {
        "proof_type_values": ["DataIntegrityProof"],
        "cryptosuite_values": ["eddsa-rdfc-2022"],
    },
    dcql.JWT_VC: {"alg_values": ["EdDSA", "ES256"]},
}


def claim_path(text: str) -> list[dcql.PathPart]:
    """A claims path pointer from what a person types: a JSON Pointer (``/a/0``) or a
    dotted path (``a.0``); array indexes as numbers, ``*`` for every element."""
    text = text.strip()
    if not text:
        raise UsageError("an empty claim names nothing")
    raw = text[1:].split("/") if text.startswith("/") else text.split(".")
    parts: list[dcql.PathPart] = []
    for step in raw:
        token = step.replace("~1", "/").replace("~0", "~") if text.startswith("/") else step
        if token == "*":
            parts.append(None)
        elif token.isascii() and token.isdigit():
            parts.append(int(token))
        elif token:
            parts.append(token)
        else:
            raise UsageError(f"the claim path {text!r} has an empty step")
    return parts


@dataclass(frozen=True)
class RequestSpec:
    """What to ask for, in the terms ``wallet request`` takes."""

    format: str = dcql.SD_JWT
    type: str | None = None
    claims: tuple[str, ...] = ()
    purpose: str | None = None
    name: str | None = None
    query_id: str = "credential"

    @staticmethod
    def format_for(type_: str | None) -> str:
        """The format to ask in when none is named: a vct is a URL (SD-JWT VC), a VC type
        such as OpenBadgeCredential is not (ldp_vc)."""
        return dcql.SD_JWT if type_ is None or ":" in type_ else dcql.LDP_VC

    def dcql_query(self) -> dict[str, Any]:
        if self.format not in dcql.FORMATS.values():
            raise UsageError(
                f"--format must be one of {', '.join(sorted(set(dcql.FORMATS.values())))}"
            )
        meta: dict[str, Any] = {}
        if self.type and self.format == dcql.SD_JWT:
            meta["vct_values"] = [self.type]
        elif self.type:
            meta["type_values"] = [[dcql.expand_type(self.type)]]
        query: dict[str, Any] = {"id": self.query_id, "format": self.format, "meta": meta}
        if self.claims:
            query["claims"] = [{"path": claim_path(c)} for c in self.claims]
        body: dict[str, Any] = {"credentials": [query]}
        if self.purpose:
            body["credential_sets"] = [{"options": [[self.query_id]], "purpose": self.purpose}]
        dcql.parse_query(body)  # what we send must be what we would accept
        return body


@dataclass
class Outcome:
    """The verdict on one answer, with each presentation's report and the query check."""

    client_id: str
    nonce: str
    items: list[tuple[str, PresentedItem]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    declined: str | None = None  # the holder's error response (access_denied, ...)

    @property
    def verdict(self) -> Verdict:
        if self.declined or self.problems or not self.items:
            return Verdict.INVALID
        return PresentationResult([item for _, item in self.items]).verdict

    def reason(self) -> str:
        """Why the answer is not valid, in one line: the query's first problem, else the
        verdict and the checks that failed (so a replay says "audience, nonce")."""
        if self.problems:
            return self.problems[0]
        failed = sorted(
            {
                c.name
                for _, item in self.items
                for c in item.report.checks
                if c.status is CheckStatus.FAILED
            }
        )
        because = f" ({', '.join(failed)} failed)" if failed else ""
        return f"verdict {self.verdict.value}{because}"

    def query_check(self) -> Check:
        if self.problems:
            return Check("dcql_query", CheckStatus.FAILED, "; ".join(self.problems))
        return Check("dcql_query", CheckStatus.PASSED, "the answer holds what was asked")

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "client_id": self.client_id,
            "nonce": self.nonce,
            "declined": self.declined,
            "query": self.query_check().to_dict(),
            "credentials": [{"query_id": qid, **item.to_dict()} for qid, item in self.items],
        }


def _unreadable(message: str, ctx: VerifyContext) -> PresentedItem:
    report = VerificationReport(
        (Check("format", CheckStatus.FAILED, message),), ctx.now.isoformat()
    )
    return PresentedItem("unknown", None, report)


def _as_candidate(qid: str, item: PresentedItem) -> dcql.Candidate | None:
    c = item.credential
    fmt = _FORMAT_OF_PART.get(item.format)
    if c is None or fmt is None:
        return None
    if fmt == dcql.SD_JWT:
        claims = item.claims or {}
        vct = claims.get("vct")
        return dcql.Candidate(qid, fmt, claims, vct if isinstance(vct, str) else None)
    return dcql.Candidate(qid, fmt, c.document, types=dcql.expanded_types(c.document))


class Session:
    """One request, served at ``base_url`` (``/request/ID`` and ``/response/ID`` under it)."""

    def __init__(
        self,
        spec: RequestSpec,
        base_url: str,
        ctx: VerifyContext,
        *,
        signer: Signer | None = None,
        max_age_s: int = 300,
    ) -> None:
        self.id = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(24)
        self.state = secrets.token_urlsafe(24)
        self.spec = spec
        self.query_json = spec.dcql_query()
        self.query = dcql.parse_query(self.query_json)
        base = base_url.rstrip("/")
        self.request_uri = f"{base}/request/{self.id}"
        self.response_uri = f"{base}/response/{self.id}"
        self.signer = signer
        did = signer.did if signer else None
        self.client_id = (
            f"decentralized_identifier:{did}" if did else f"redirect_uri:{self.response_uri}"
        )
        self._ctx = ctx
        self.max_age_s = max_age_s
        self.created = int(time.time())
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.outcome: Outcome | None = None

    # -- the request -------------------------------------------------------------------

    def client_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "vp_formats_supported": {self.spec.format: VP_FORMATS[self.spec.format]}
        }
        if self.spec.name:
            metadata["client_name"] = self.spec.name
        return metadata

    def parameters(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": self.response_uri,
            "nonce": self.nonce,
            "state": self.state,
            "dcql_query": self.query_json,
            "client_metadata": self.client_metadata(),
        }

    def link(self) -> str:
        """The request as a link for a QR code: by reference when signed, else by value."""
        if self.signer is not None:
            return "openid4vp://?" + urlencode(
                {"client_id": self.client_id, "request_uri": self.request_uri}
            )
        params = {
            k: json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else v
            for k, v in self.parameters().items()
        }
        return "openid4vp://?" + urlencode(params)

    def request_object(self, wallet_nonce: str | None = None) -> str:
        if self.signer is None:
            raise UsageError("this request is unsigned (redirect_uri:): it is passed by value")
        now = int(time.time())
        claims = {
            **self.parameters(),
            "aud": SELF_ISSUED,
            "iat": now,
            "exp": now + REQUEST_LIFETIME_S,
        }
        if wallet_nonce:
            claims["wallet_nonce"] = wallet_nonce
        headers = {"typ": JAR_TYP, "kid": self.signer.verification_method}
        return jws.sign_compact(claims, self.signer.private_key, headers=headers)

    # -- the answer --------------------------------------------------------------------

    def receive(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Judge one direct_post; (HTTP status, JSON body) for the wallet."""
        if form.get("state") != self.state:
            return 400, {
                "error": "invalid_request",
                "error_description": "unknown or missing state",
            }
        with self._lock:
            if self.outcome is not None:
                return 400, {
                    "error": "invalid_request",
                    "error_description": "this request was already answered",
                }
            outcome = self._judge(form)
            self.outcome = outcome
        self._done.set()
        if outcome.declined:
            return 200, {}
        if outcome.verdict is not Verdict.VALID:
            return 400, {
                "error": "invalid_request",
                "error_description": f"not accepted: {outcome.reason()}",
            }
        return 200, {}

    def _judge(self, form: Mapping[str, str]) -> Outcome:
        ctx = dataclasses.replace(self._ctx, now=datetime.now(UTC))
        outcome = Outcome(self.client_id, self.nonce)
        if "error" in form:
            outcome.declined = str(form.get("error"))[:100]
            return outcome
        try:
            token = load_json(form.get("vp_token", ""))
        except MalformedInput as exc:
            outcome.problems.append(f"vp_token is not JSON: {exc.message}")
            return outcome
        if not isinstance(token, dict) or not token:
            outcome.problems.append("vp_token must be a JSON object of credential query ids")
            return outcome
        presented: dict[str, list[dcql.Candidate]] = {}
        count = 0
        for qid, entries in token.items():
            if not isinstance(entries, list):
                outcome.problems.append(f"vp_token[{qid!r}] must be an array of presentations")
                continue
            presented[qid] = []
            for entry in entries:
                count += 1
                if count > MAX_PRESENTATIONS:
                    outcome.problems.append(f"more than {MAX_PRESENTATIONS} presentations")
                    return outcome
                for item in self._verify_one(entry, ctx):
                    outcome.items.append((qid, item))
                    candidate = _as_candidate(qid, item)
                    if candidate is not None:
                        presented[qid].append(candidate)
        outcome.problems.extend(dcql.unmet(self.query, presented))
        return outcome

    def _verify_one(self, entry: Any, ctx: VerifyContext) -> Sequence[PresentedItem]:
        if isinstance(entry, str):
            data = entry.encode("utf-8")
        elif isinstance(entry, dict):
            data = json.dumps(entry).encode("utf-8")
        else:
            return [_unreadable("a presentation must be a string or an object", ctx)]
        try:
            result = verify_presentation(
                data, ctx, audience=self.client_id, nonce=self.nonce, max_age_s=self.max_age_s
            )
        except WalletError as exc:
            return [_unreadable(exc.message, ctx)]
        return result.items

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> Outcome | None:
        """The outcome, once answered; None after ``timeout`` seconds or once ``cancel`` is set."""
        deadline = time.monotonic() + timeout
        while not self._done.is_set() and not (cancel and cancel.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._done.wait(min(left, 0.05))
        return self.outcome
