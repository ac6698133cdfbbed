"""The wallet's online actions, behind ``wallet.api``: import from a URL or an OpenID4VCI
offer, and refresh the cached keys and status lists.

Each import is all or nothing: the credential and every document its verification reads are
fetched and checked first, in memory; only then are they stored. A fetch that fails is one
NetworkError line, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from wallet.errors import NetworkError, VerificationFailed, WalletError
from wallet.model import Credential, Verdict

if TYPE_CHECKING:
    from wallet.api import ImportOutcome, Wallet
    from wallet.exchange.net import Http, Response
    from wallet.exchange.resolve import Gathered
    from wallet.exchange.txcode import TxCode

Progress = Callable[[str], None]
ACCEPT = (
    "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt, "
    "application/dc+sd-jwt, application/vc+sd-jwt, application/jwt, image/png, image/svg+xml;q=0.9"
)


def is_remote(source: str) -> bool:
    """A source the network layer takes: an http(s) URL or a credential offer link."""
    lowered = source.strip().lower()
    return lowered.startswith(("https://", "http://", "openid-credential-offer://"))


def _offer_query(text: str) -> dict[str, list[str]] | None:
    """The query of an OpenID4VCI credential offer link, or None when ``text`` is none."""
    text = text.strip()
    if text.lower().startswith("openid-credential-offer://"):
        return parse_qs(urlsplit(text).query)
    query = parse_qs(urlsplit(text).query) if text.lower().startswith("https://") else {}
    return query if "credential_offer" in query or "credential_offer_uri" in query else None


def is_offer(text: str) -> bool:
    """An OpenID4VCI credential offer link (by value or by reference)."""
    return _offer_query(text) is not None


def source_label(source: str) -> str:
    """A source as a person reads it in a result line: an OpenID4VCI offer link (hundreds
    of percent-encoded characters) as the issuer it comes from; anything else as it is."""
    query = _offer_query(source)
    if query is None:
        return source
    issuer = ""
    if "credential_offer" in query:
        try:
            offer = json.loads(query["credential_offer"][0])
        except ValueError:
            offer = None
        if isinstance(offer, dict) and isinstance(offer.get("credential_issuer"), str):
            issuer = offer["credential_issuer"]
    elif "credential_offer_uri" in query:
        issuer = urlsplit(query["credential_offer_uri"][0]).netloc
    return f"credential offer from {issuer}" if issuer else "credential offer"


def _first_failure(gathered: Gathered) -> None:
    if gathered.failures:
        first = gathered.failures[0]
        more = len(gathered.failures) - 1
        extra = f" (and {more} more)" if more else ""
        raise NetworkError(f"not imported: could not fetch {first.url}: {first.reason}{extra}")


def _import_all(
    wallet: Wallet,
    payloads: Sequence[tuple[bytes, str]],
    http: Http,
    progress: Progress | None,
    check: Callable[[int, Credential], None] | None = None,
    answers: Mapping[str, Response] = {},  # read only (Mapping)
) -> list[ImportOutcome]:
    from wallet.api import signature_refused, with_linked_documents
    from wallet.exchange.resolve import gather

    credentials = []
    for index, (data, _source) in enumerate(payloads):
        credential = wallet.parse(data)
        if check is not None:
            check(index, credential)
        credentials.append(credential)
    ctx = wallet.verify_context()
    gathered = gather(
        credentials, ctx, http, wallet.verify_with, progress=progress, answers=answers
    )
    _first_failure(gathered)
    # From the network nothing is stored with a failed check (a revoked or expired
    # credential, a status list signed by another key): the learner is told why instead.
    for report in gathered.reports:
        reason = signature_refused(report, storable=frozenset())
        if reason:
            raise VerificationFailed(f"not imported: {reason}")
    # Everything checked: now keep the documents, then the credentials.
    wallet.cache_documents(gathered.documents.values())
    # The context the reports were made against (the store's cache plus the fetches, which
    # are now kept): not built again from the store.
    checked = gathered.context(ctx)
    return [
        wallet.import_checked(
            with_linked_documents(credential, checked),
            report,
            source=source,
            storable=frozenset(),
        )
        for credential, report, (_data, source) in zip(
            credentials, gathered.reports, payloads, strict=True
        )
    ]


def _download(http: Http, url: str) -> Response:
    response = http.get(url, accept=ACCEPT)
    if not response.ok:
        raise NetworkError(f"{url} answered HTTP {response.status}")
    return response


def import_url(
    wallet: Wallet, url: str, *, progress: Progress | None = None
) -> list[ImportOutcome]:
    """A credential at a URL: a hosted or baked Open Badge, JSON-LD, a JWT or SD-JWT."""
    from wallet import sources
    from wallet.exchange.net import Http, check_url
    from wallet.formats import baking

    check_url(url)
    with Http() as http:
        if progress:
            progress(url)
        asked = url
        response = _download(http, url)
        try:
            texts = sources.credential_payloads(response.url, response.content)
        except baking.HostedUrlOnly as hosted:
            # A baked badge that carries only its assertion's URL: fetch that.
            check_url(hosted.url)
            asked = hosted.url
            response = _download(http, asked)
            texts = sources.credential_payloads(response.url, response.content)
        # A hosted assertion is checked against its copy at its own URL: the answer just
        # downloaded, not fetched a second time.
        answers = {asked: response} if texts == [response.content] else {}
        return _import_all(wallet, [(t, url) for t in texts], http, progress, answers=answers)


def import_offer(
    wallet: Wallet,
    uri: str,
    ask_tx_code: Callable[[TxCode], str],
    *,
    progress: Progress | None = None,
) -> list[ImportOutcome]:
    """Receive the credentials an OpenID4VCI offer names, bound to this wallet's keys."""
    from wallet.exchange import oid4vci
    from wallet.exchange.net import Http
    from wallet.verify.keys import same_public_jwk

    with Http() as http:
        offer = oid4vci.parse_offer(uri, http)
        if progress:
            progress(offer.credential_issuer)
        _metadata, issued = oid4vci.receive(offer, http, wallet.signers(), ask_tx_code)
        payloads = [(item.data, offer.credential_issuer) for item in issued]

        def bound_to_us(index: int, credential: Credential) -> None:
            signer = issued[index].signer
            if credential.holder_jwk is not None:
                if not same_public_jwk(credential.holder_jwk, signer.jwk):
                    raise VerificationFailed(
                        "not imported: the issuer bound the credential to a key that is not yours"
                    )
            elif credential.subject.id != signer.did:
                raise VerificationFailed(
                    "not imported: the credential names another holder"
                    f" ({credential.subject.id or 'none'}), not your key"
                )

        return _import_all(wallet, payloads, http, progress, check=bound_to_us)



# -- refresh -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListAge:
    url: str
    fetched_at: str
    age_seconds: int
    refreshed: bool


@dataclass(frozen=True)
class VerdictChange:
    id: str
    title: str
    before: Verdict
    after: Verdict


@dataclass
class RefreshReport:
    fetched: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    status_lists: list[ListAge] = field(default_factory=list)
    verdicts: list[VerdictChange] = field(default_factory=list)
    credentials: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "credentials": self.credentials,
            "fetched": self.fetched,
            "changed": self.changed,
            "failed": [{"url": u, "reason": r} for u, r in self.failed],
            "status_lists": [
                {
                    "url": a.url,
                    "fetched_at": a.fetched_at,
                    "age_seconds": a.age_seconds,
                    "refreshed": a.refreshed,
                }
                for a in self.status_lists
            ],
            "verdicts": [
                {"id": v.id, "title": v.title, "before": str(v.before), "after": str(v.after)}
                for v in self.verdicts
            ],
        }


def _trusted_issuer_urls(issuer_ids: Sequence[str]) -> list[str]:
    from wallet.verify import dids, issuer_keys

    urls = []
    for issuer in issuer_ids:
        if issuer.startswith("did:web:"):
            try:
                urls.append(dids.did_web_url(issuer))
            except WalletError:
                continue
        elif urlsplit(issuer).scheme == "https":
            urls.append(issuer_keys.metadata_url(issuer))
    return urls


FORGED_LIST = "status list signature invalid"


def _drop_forged_lists(credentials: Sequence[Credential], gathered: Gathered) -> None:
    """A status list that fails its signature check while the issuer's key verifies the
    credential itself is not the issuer's: it must not replace the list already kept (that
    would let whoever serves it mark every credential invalid). It is reported as a failed
    fetch instead, as imports refuse it. (When the key itself is gone, both checks fail
    and the new documents are kept: the credential is then rightly invalid.)"""
    from wallet.exchange.resolve import FetchFailure, fetchable
    from wallet.model import SIGNATURE, STATUS, CheckStatus

    for credential, checked in zip(credentials, gathered.reports, strict=False):
        by_name = {c.name: c for c in checked.checks}
        signature, listed = by_name.get(SIGNATURE), by_name.get(STATUS)
        forged = (
            signature is not None
            and signature.status is CheckStatus.PASSED
            and listed is not None
            and listed.status is CheckStatus.FAILED
            and listed.detail.startswith(FORGED_LIST)
        )
        if not forged:
            continue
        for ref in credential.status:
            url = fetchable(ref.list_url)
            if url is not None and gathered.documents.pop(url, None) is not None:
                gathered.failures.append(
                    FetchFailure(url, "not kept: the status list is not signed by its issuer")
                )


def refresh(wallet: Wallet, *, progress: Progress | None = None) -> RefreshReport:
    """Fetch again every document that verifying the stored credentials reads (and the keys
    of trusted issuers), keep what came back, and re-verify everything."""
    from wallet.exchange.net import Http
    from wallet.exchange.resolve import gather
    from wallet.verify.documents import classify

    stored = wallet.list()
    credentials = [s.credential for s in stored]
    ctx = wallet.verify_context()
    trusted = [e.id for e in wallet.trust_list().entries]
    with Http() as http:
        gathered = gather(
            credentials,
            ctx,
            http,
            wallet.verify_with,
            refetch=True,
            extra_urls=_trusted_issuer_urls(trusted),
            progress=progress,
        )
    _drop_forged_lists(credentials, gathered)
    report = RefreshReport(credentials=len(stored))
    wallet.cache_documents(gathered.documents.values())
    for document in gathered.documents.values():
        report.fetched.append(document.url)
        if document.url not in gathered.unchanged:
            report.changed.append(document.url)
    report.failed = [(f.url, f.reason) for f in gathered.failures]
    now = datetime.now(UTC)
    for entry in wallet.cache_entries():
        if entry.url not in gathered.read and entry.url.split("#", 1)[0] not in gathered.read:
            continue
        try:
            kind = classify(entry.url, entry.data)
        except WalletError:
            continue
        if "status list" not in kind.kind:
            continue
        report.status_lists.append(
            ListAge(
                entry.url,
                entry.fetched_at.isoformat(),
                int((now - entry.fetched_at).total_seconds()),
                entry.url in gathered.documents,
            )
        )
    for after, before in wallet.verify_all():
        if after.report.verdict != before:
            report.verdicts.append(
                VerdictChange(after.id, after.credential.title, before, after.report.verdict)
            )
    return report
