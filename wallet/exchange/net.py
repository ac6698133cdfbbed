"""The wallet's only way onto the network, with the rules every fetch follows.

- https only, except plain http to this machine (loopback) for local issuers and tests;
- connect and read timeouts, a deadline for the whole answer, and a cap on every response
  body, enforced while streaming;
- a few redirects at most, each re-checked, never from https down to http;
- every failure is one NetworkError line naming the URL, and nothing is returned.

Certificates are checked against the system's CA bundle, plus the PEM file named by
WALLET_CA_FILE (a local or company issuer with its own certificate authority).
WALLET_NET_TIMEOUT (seconds) replaces both default timeouts (and the whole answer's, four
times that): more for a slow link, less for tests of a slow issuer.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from wallet.errors import MalformedInput, NetworkError, UsageError

CA_FILE_ENV = "WALLET_CA_FILE"
TIMEOUT_ENV = "WALLET_NET_TIMEOUT"
MAX_TIMEOUT = 600.0
MAX_RESPONSE_BYTES = 4_000_000
REDIRECT_CODES = {301, 302, 303, 307, 308}
# A host as sent (IDNA-encoded): a DNS name, an IPv4 address, or an IPv6 literal.
_HOST = re.compile(rb"[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+")


@dataclass(frozen=True)
class NetPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = MAX_RESPONSE_BYTES
    max_redirects: int = 3
    # The whole answer, however it trickles in (each read alone has read_timeout).
    total_timeout: float = 60.0

    @classmethod
    def from_env(cls) -> NetPolicy:
        """The defaults, with both timeouts from WALLET_NET_TIMEOUT when it is set."""
        text = os.environ.get(TIMEOUT_ENV, "").strip()
        if not text:
            return cls()
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not 0 < seconds <= MAX_TIMEOUT:  # also false for nan
            raise UsageError(
                f"{TIMEOUT_ENV}={text[:40]}: not a number of seconds above 0 and at most"
                f" {MAX_TIMEOUT:.0f}"
            )
        return cls(connect_timeout=seconds, read_timeout=seconds, total_timeout=4 * seconds)


@dataclass(frozen=True)
class Response:
    url: str  # where the body came from, after redirects
    status: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json_object(self, what: str) -> dict[str, Any]:
        """The body as a JSON object, or a one-line MalformedInput naming ``what`` it was."""
        try:
            value = json.loads(self.content)
        except (ValueError, UnicodeDecodeError):
            raise MalformedInput(f"{what} at {self.url} is not JSON") from None
        if not isinstance(value, dict):
            raise MalformedInput(f"{what} at {self.url} is not a JSON object")
        return value


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """NetworkError unless ``url`` is one the wallet may fetch: https, or http to loopback."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
        # Control characters and host names that are no IDNA name: refused here, before
        # anything is sent, not as a crash deep inside the request.
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018 - decodes the IDNA name: raises on a bad one
        raw_host = parsed.raw_host
    except (ValueError, httpx.InvalidURL):  # UnicodeError (IDNA) is a ValueError
        raise NetworkError(f"not a valid URL: {url[:200]}") from None
    if not parts.hostname:
        raise NetworkError(f"not a valid URL (no host): {url[:200]}")
    if not _HOST.fullmatch(raw_host):
        # A host like "evil.example\.localhost" would pass as loopback by its ending; no
        # DNS name holds a backslash, a percent sign or a semicolon.
        raise NetworkError(f"not a valid URL (host {parts.hostname[:100]!r}): {url[:200]}")
    if parts.username or parts.password:
        raise NetworkError(f"refused: the URL carries a user name or password: {parts.hostname}")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return
    if parts.scheme == "http":
        raise NetworkError(f"refused: {url[:200]} is plain http; only https is fetched")
    raise NetworkError(f"refused: {url[:200]} is not an https URL")


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())
    extra = os.environ.get(CA_FILE_ENV)
    if extra:
        try:
            context.load_verify_locations(cafile=extra)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"{CA_FILE_ENV}={extra}: not a readable PEM file ({exc})") from None
    return context


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the answer"
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            "its TLS certificate is not trusted (for a local issuer, set "
            f"{CA_FILE_ENV} to its CA file)"
        )
    if isinstance(exc, httpx.ConnectError):
        return "could not connect" + (f" ({text.splitlines()[0]})" if text else "")
    return text.splitlines()[0] if text else type(exc).__name__


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), parts.port or default


class Http:
    """A short-lived client: ``with Http() as http: http.get(url)``."""

    def __init__(self, policy: NetPolicy | None = None) -> None:
        self.policy = policy or NetPolicy.from_env()
        timeout = httpx.Timeout(
            self.policy.read_timeout, connect=self.policy.connect_timeout, pool=None
        )
        settings: dict[str, Any] = {
            "verify": _ssl_context(),
            "timeout": timeout,
            "follow_redirects": False,
            "headers": {"User-Agent": "learner-wallet"},
        }
        # Proxies from the environment (HTTPS_PROXY ...) serve the wider network. This
        # machine is always reached directly: through a proxy, plain http "to loopback"
        # would cross the network in the clear, and the proxy would answer for it.
        self._client = httpx.Client(**settings)
        self._direct = httpx.Client(**settings, trust_env=False)

    def __enter__(self) -> Http:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
        self._direct.close()

    def _client_for(self, url: str) -> httpx.Client:
        return self._direct if is_loopback(urlsplit(url).hostname or "") else self._client

    def get(self, url: str, *, accept: str | None = None) -> Response:
        headers = {"Accept": accept} if accept else {}
        return self._send("GET", url, headers=headers)

    def post_form(
        self, url: str, data: Mapping[str, str], *, headers: Mapping[str, str] | None = None
    ) -> Response:
        return self._send("POST", url, headers=dict(headers or {}), data=dict(data))

    def post_json(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> Response:
        return self._send("POST", url, headers=dict(headers or {}), json_body=body)

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        data: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        check_url(url)
        asked = url
        seen = {url}
        for _ in range(self.policy.max_redirects + 1):
            request = self._client_for(url).build_request(
                method, url, headers=headers, data=data, json=json_body
            )
            status, response_headers, body = self._exchange(request, url)
            if status not in REDIRECT_CODES:
                return Response(url, status, response_headers, body)
            target = self._redirect_target(url, response_headers.get("location"))
            if target in seen:
                raise NetworkError(f"{method} {url}: redirect loop (back to {target})")
            seen.add(target)
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, data, json_body = "GET", None, None
            if _origin(target) != _origin(url):
                # An access token is for the server it was given by, never for where
                # that server points (as browsers and httpx's own redirects do).
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            url = target
        # Named by the URL asked for (the learner's), not the one it was sent on to.
        raise NetworkError(
            f"{method} {asked}: more than {self.policy.max_redirects} redirects; not followed"
        )

    def _redirect_target(self, url: str, location: str | None) -> str:
        if not location:
            raise NetworkError(f"{url}: a redirect without a Location")
        target = urljoin(url, location)
        if urlsplit(url).scheme == "https" and urlsplit(target).scheme != "https":
            raise NetworkError(f"{url}: refused a redirect from https to {target[:200]}")
        try:
            check_url(target)
        except NetworkError as exc:
            raise NetworkError(f"{url}: redirect {exc.message}") from None
        return target

    def _exchange(self, request: httpx.Request, url: str) -> tuple[int, dict[str, str], bytes]:
        cap = self.policy.max_bytes
        deadline = time.monotonic() + self.policy.total_timeout
        try:
            response = self._client_for(url).send(request, stream=True)
            try:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > cap:
                    raise NetworkError(f"{url}: the answer is larger than {cap:,} bytes; refused")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise NetworkError(
                            f"{url}: the answer is larger than {cap:,} bytes; refused"
                        )
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise NetworkError(
                            f"{request.method} {url}: the answer took longer than"
                            f" {self.policy.total_timeout:g} s; refused"
                        )
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status_code, headers, b"".join(chunks)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise NetworkError(f"{request.method} {url}: {_reason(exc)}") from None
        except UnicodeError:
            # A host name no IDNA codec takes (an empty label, one over 63 letters).
            raise NetworkError(f"{request.method} {url}: not a valid host name") from None
