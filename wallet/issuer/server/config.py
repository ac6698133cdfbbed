"""Where the issuer lives: its public base URL, its DIDs and its state folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from wallet.errors import UsageError

DEFAULT_PORT = 8443
STATE_ENV = "WALLET_ISSUER_STATE"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def default_state_dir() -> Path:
    """$WALLET_ISSUER_STATE, else the user's data dir (kept apart from any wallet)."""
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("learner-wallet-issuer", appauthor=False))


def check_public_url(url: str) -> str:
    """The base URL without a trailing slash; http only for loopback hosts."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise UsageError(f"--public-url {url!r} is not a URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--public-url {url!r} must be an https URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise UsageError(f"--public-url {url!r}: plain http is for loopback hosts only")
    if parts.query or parts.fragment:
        raise UsageError(f"--public-url {url!r} must not have a query or fragment")
    return url.rstrip("/")


def did_web_for(base_url: str, *path: str) -> str:
    """did:web of a base URL (did:web:localhost%3A8443), with optional path segments."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port is not None:
        host += f"%3A{parts.port}"
    segments = [s for s in parts.path.split("/") if s] + list(path)
    return ":".join(["did:web", host, *(quote(s, safe="") for s in segments)])


@dataclass(frozen=True)
class IssuerConfig:
    """One issuer: ``base_url`` is B of the contract (credential_issuer, iss, did:web)."""

    base_url: str
    state_dir: Path

    @classmethod
    def create(cls, base_url: str, state_dir: Path) -> IssuerConfig:
        return cls(check_public_url(base_url), state_dir)

    @property
    def did(self) -> str:
        return did_web_for(self.base_url)

    @property
    def partner_did(self) -> str:
        return did_web_for(self.base_url, "partner")

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def bitstring_url(self) -> str:
        return self.url("/status/bitstring/1")

    @property
    def token_list_url(self) -> str:
        return self.url("/status/token/1")

    @property
    def ob2_revocations_url(self) -> str:
        return self.url("/ob2/revocations")
