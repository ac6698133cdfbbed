"""Fill the offline cache with exactly the documents verification reads.

Verification is run offline against a cache that records every URL it asks for (a DID
document, issuer metadata, a JWKS, a status list, a hosted badge). The missing ones are
fetched, and verification runs again, until it asks for nothing new: so this layer never
needs its own copy of the rules for where a key or a list lives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urldefrag

from wallet.errors import UnsupportedInput, WalletError
from wallet.exchange.net import Http, Response, check_url
from wallet.model import Credential, VerificationReport
from wallet.verify.context import CachedDocument, DocumentCache, VerifyContext
from wallet.verify.documents import classify

MAX_ROUNDS = 6
Verifier = Callable[[Credential, VerifyContext], VerificationReport]


@dataclass(frozen=True)
class FetchFailure:
    url: str
    reason: str
    missing: bool = False  # the server answered 404 or 410: it has no such document


class _Missing(UnsupportedInput):
    """An answer of 404 or 410."""


@dataclass
class Gathered:
    """What one run fetched: new or changed documents (not yet stored), and failures."""

    documents: dict[str, CachedDocument] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)
    failures: list[FetchFailure] = field(default_factory=list)
    read: set[str] = field(default_factory=set)  # every URL verification asked for
    reports: list[VerificationReport] = field(default_factory=list)  # one per credential

    def context(self, ctx: VerifyContext) -> VerifyContext:
        """``ctx`` with this run's fetches on top of its cache: what ``reports`` read, and
        what the stored cache holds once the fetches are kept, without reading it again."""
        return replace(ctx, cache=_Overlay(ctx.cache, self.documents))


class _Overlay:
    """The stored cache with this run's fetches on top, recording every lookup."""

    def __init__(self, base: DocumentCache, fresh: dict[str, CachedDocument]) -> None:
        self._base = base
        self._fresh = fresh
        self.asked: set[str] = set()

    def get(self, url: str) -> CachedDocument | None:
        self.asked.add(url)
        return self._fresh.get(url) or self._base.get(url)


def fetchable(url: str) -> str | None:
    """The URL to fetch for a cache key (its fragment dropped), or None for keys that name
    no web document (urn:, did:key ...)."""
    if not url.startswith(("https://", "http://")):
        return None
    return urldefrag(url).url


def _media_type(declared: str) -> str:
    return declared or "application/json"


def fetch_document(
    http: Http, url: str, now: datetime, *, answer: Response | None = None
) -> CachedDocument:
    """One document, refused (UnsupportedInput) when it is nothing verification reads;
    ``answer``: the server's answer for ``url`` already in hand, taken instead of asking."""
    response = answer or http.get(
        url, accept="application/json, application/ld+json, application/jwt, */*"
    )
    if not response.ok:
        gone = _Missing if response.status in (404, 410) else UnsupportedInput
        raise gone(f"{url} answered HTTP {response.status}")
    try:
        classify(url, response.content)
    except UnsupportedInput:
        # classify's own message lists what `wallet cache add` takes; here, one short line.
        raise UnsupportedInput(
            "the answer is none of the documents verification reads (a DID document, key set,"
            " issuer metadata, status list or Open Badges document)"
        ) from None
    return CachedDocument(url, response.content, now, _media_type(response.media_type))


def gather(
    credentials: Sequence[Credential],
    ctx: VerifyContext,
    http: Http,
    verify: Verifier,
    *,
    refetch: bool = False,
    extra_urls: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
    answers: Mapping[str, Response] = {},  # read only (Mapping)
) -> Gathered:
    """Fetch what verifying ``credentials`` reads and the cache lacks (with ``refetch``,
    also what it already holds), plus ``extra_urls``. Nothing is stored here. A URL in
    ``answers`` (the credential's own, just downloaded) is taken from there, not fetched.

    ``reports`` holds each credential's report against the cache with every fetch on top.
    After the first round only credentials that read a document just fetched are verified
    again: the others would read exactly what they read before."""
    now = datetime.now(UTC)
    result = Gathered()
    tried: set[str] = set()
    extras = {u for u in (fetchable(x) for x in extra_urls) if u}
    pending = set(extras)
    reads: list[set[str]] = [set() for _ in credentials]
    reports: list[VerificationReport | None] = [None] * len(credentials)
    fresh: set[str] | None = None  # None: the first round verifies everything
    for _ in range(MAX_ROUNDS):
        for index, credential in enumerate(credentials):
            if fresh is not None and not {fetchable(k) for k in reads[index]} & fresh:
                continue
            overlay = _Overlay(ctx.cache, result.documents)
            reports[index] = verify(credential, replace(ctx, cache=overlay))
            reads[index] = overlay.asked
            result.read |= overlay.asked
            for key in overlay.asked:
                url = fetchable(key)
                if url is None or url in tried:
                    continue
                if refetch or (ctx.cache.get(key) is None and key not in result.documents):
                    pending.add(url)
        pending -= tried
        if not pending:
            break
        for url in sorted(pending):
            tried.add(url)
            if progress and url not in answers:
                progress(url)
            _fetch_into(result, http, url, ctx.cache, now, answers.get(url))
        fresh = set(pending)
        pending.clear()
    result.reports = [r for r in reports if r is not None]
    # A failed fetch matters only if the final verification still reads it: the SD-JWT VC
    # key lookup asks for the jwt-vc-issuer metadata and the origin's JWKS together, and
    # once the metadata is there the missing JWKS is never read again.
    # An extra URL (a trusted issuer's keys, fetched ahead) that the server does not have
    # is no failure either: an Open Badges issuer publishes no SD-JWT VC metadata. Not
    # reaching the server at all still is.
    still_read = {fetchable(key) for asked in reads for key in asked}
    result.failures = [
        f for f in result.failures if f.url in still_read or (f.url in extras and not f.missing)
    ]
    return result


def _fetch_into(
    result: Gathered,
    http: Http,
    url: str,
    stored: DocumentCache,
    now: datetime,
    answer: Response | None = None,
) -> None:
    try:
        check_url(url)
        document = fetch_document(http, url, now, answer=answer)
    except WalletError as exc:
        # The failure is listed under its URL: drop the "GET URL: " the message repeats.
        reason = exc.message.removeprefix(f"GET {url}: ").removeprefix(f"{url}: ")
        result.failures.append(FetchFailure(url, reason, isinstance(exc, _Missing)))
        return
    old = stored.get(url)
    if old is not None and old.data == document.data:
        result.unchanged.add(url)
    result.documents[url] = document
