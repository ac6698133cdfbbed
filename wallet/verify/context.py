"""What a verification may consult: cached documents, the trust list, the clock.

Verification never opens a network connection. Everything it needs from outside (did:web
documents, JWKS, issuer metadata, status lists) comes from a ``DocumentCache`` that the
network layer fills and the store persists; a missing entry makes a check ``not_checked``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from wallet.verify import trust_ids


@dataclass(frozen=True)
class CachedDocument:
    url: str
    data: bytes
    fetched_at: datetime
    media_type: str = "application/json"

    def age(self, now: datetime) -> timedelta:
        return now - self.fetched_at


class DocumentCache(Protocol):
    def get(self, url: str) -> CachedDocument | None: ...


class MemoryCache:
    """A dict-backed cache; the store provides a persistent one with the same shape."""

    def __init__(self, documents: dict[str, CachedDocument] | None = None) -> None:
        self._documents = dict(documents or {})

    def get(self, url: str) -> CachedDocument | None:
        return self._documents.get(url)

    def put(self, document: CachedDocument) -> None:
        self._documents[document.url] = document

    def urls(self) -> list[str]:
        return sorted(self._documents)


@dataclass(frozen=True)
class TrustEntry:
    """A trusted issuer: a DID or an https origin/URL prefix, with a label for display."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class TrustList:
    entries: tuple[TrustEntry, ...] = ()

    def find(self, issuer_id: str | None) -> TrustEntry | None:
        if not issuer_id:
            return None
        for entry in self.entries:
            # Same rule as trust_add and trust files; a junk entry stored before entries
            # were checked ("https://") trusts nobody, and https entries match on path
            # boundaries only (https://college.example never covers ...example.evil.com).
            if trust_ids.matches(entry.id, issuer_id):
                return entry
        return None


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class VerifyContext:
    cache: DocumentCache = field(default_factory=MemoryCache)
    trust: TrustList = field(default_factory=TrustList)
    now: datetime = field(default_factory=_utcnow)
    # Status lists older than this still count, but the status check carries a warning.
    status_stale_after: timedelta = timedelta(days=30)
