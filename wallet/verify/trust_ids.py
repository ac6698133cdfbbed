"""What may stand in a trust list, and how an issuer id is compared with it.

A trust entry is a promise "credentials proven to come from here are from someone I know",
so a loose entry is a hole: ``https://`` once trusted every https issuer. Accepted forms:

- a DID (``did:<method>:<id>``, DID Core syntax); a ``did:web`` must name a valid host name;
- an https origin or URL with a host (a DNS name or IP address, optional port), no user
  info, query or fragment. It trusts that URL and the URLs under it, on path boundaries.

No wildcards. ``normalise`` is the one rule for the CLI, the API and trust files; ``matches``
compares an issuer id by the same rule, so a look-alike (``https://college.example.evil``,
``https://college.example/issuers/10`` for ``.../issuers/1``) never matches.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from wallet.errors import MalformedInput

MAX_ID_LENGTH = 2048

_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:([a-z0-9]+):((?:{_IDCHAR}*:)*{_IDCHAR}+)")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
# RFC 3986 pchar without "*" (no wildcards anywhere) and without "%" outside an escape.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()+,;=:@-]|%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class HttpsId:
    """An https id split for comparison: origin (host[:port], lowercase) and path segments."""

    authority: str
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "https://" + self.authority + "".join("/" + s for s in self.segments)


def normalise(text: str) -> str:
    """The canonical form of a trust-list id; MalformedInput (one line) saying what is wrong."""
    value = text.strip()
    if not value:
        raise MalformedInput("an empty id")
    if len(value) > MAX_ID_LENGTH:
        raise MalformedInput(f"an id longer than {MAX_ID_LENGTH} characters")
    if "*" in value:
        raise MalformedInput("wildcards ('*') are not accepted: list each issuer")
    if value.startswith("did:"):
        return _did(value)
    if value[:8].lower() == "https://":
        return str(_https(value))
    raise MalformedInput("is neither a DID (did:method:id) nor an https URL (https://host)")


def _did(value: str) -> str:
    if "#" in value or "?" in value or "/" in value:
        raise MalformedInput("is a DID URL (path, query or fragment): give the DID itself")
    found = _DID.fullmatch(value)
    if found is None:
        raise MalformedInput(
            "is not a DID: expected did:<method>:<id>, the method in lowercase letters and "
            "digits, the id non-empty, without spaces and not ending in ':'"
        )
    method, ident = found.group(1), found.group(2)
    if method == "web":
        return "did:web:" + _did_web(ident)
    return value


def _did_web(ident: str) -> str:
    """did:web: host (with an optional %3A port), then ':'-separated path segments."""
    host_part, *path = ident.split(":")
    if any(not segment for segment in path):
        raise MalformedInput("a did:web has an empty path segment")
    host, _, port = host_part.lower().partition("%3a")
    if "%" in host:
        raise MalformedInput("a did:web host may contain no percent-escape other than %3A (port)")
    if _is_ip(host):
        raise MalformedInput("a did:web names a domain name, not an IP address")
    _check_dns_name(host)
    suffix = "%3A" + _port(port) if port or host_part.lower().endswith("%3a") else ""
    return ":".join([host + suffix, *path])


def _https(value: str) -> HttpsId:
    rest = value[8:]
    if "?" in rest or "#" in rest:
        raise MalformedInput("an https trust entry has no query or fragment")
    authority, slash, path = rest.partition("/")
    if not authority:
        raise MalformedInput("an https URL needs a host")
    if "@" in authority:
        raise MalformedInput("an https URL with user info (user@host) is not accepted")
    host, port = _split_authority(authority)
    segments = path.split("/") if slash else []
    if segments and segments[-1] == "":
        segments.pop()  # one trailing slash means the same as none
    for segment in segments:
        if segment in ("", ".", ".."):
            raise MalformedInput("an https URL path has an empty, '.' or '..' segment")
        if not _SEGMENT.fullmatch(segment):
            raise MalformedInput(f"has a path segment {segment!r} with characters not allowed")
    shown_port = "" if port in ("", "443") else ":" + port
    return HttpsId(host + shown_port, tuple(segments))


def _split_authority(authority: str) -> tuple[str, str]:
    if authority.startswith("["):
        inside, bracket, after = authority[1:].partition("]")
        if not bracket:
            raise MalformedInput("an https URL has an unclosed '[' in its host")
        try:
            address = ipaddress.IPv6Address(inside)
        except ValueError:
            raise MalformedInput(f"{inside!r} is not an IPv6 address") from None
        if after and not after.startswith(":"):
            raise MalformedInput("an https URL has text after its IPv6 host")
        return f"[{address.compressed}]", _port(after[1:]) if after else ""
    host, colon, port = authority.partition(":")
    host = host.lower()
    if not host:
        raise MalformedInput("an https URL needs a host")
    if not _is_ip(host):
        _check_dns_name(host)
    return host, _port(port) if colon else ""


def _port(text: str) -> str:
    if not _PORT.fullmatch(text) or not 0 < int(text) < 65536:
        raise MalformedInput(f"port {text!r} is not a number from 1 to 65535")
    return str(int(text))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def _check_dns_name(host: str) -> None:
    if not host.isascii():
        raise MalformedInput(f"host {host!r} is not ASCII: give its xn-- (punycode) form")
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise MalformedInput(f"{host!r} is not a valid host name")
    # A numeric last label is an IPv4 address or nothing (1.2.3 would be read as 1.2.0.3).
    if labels[-1].isdigit():
        raise MalformedInput(f"{host!r} is not a valid host name or IPv4 address")


def matches(entry_id: str, issuer_id: str) -> bool:
    """Does trust entry ``entry_id`` cover ``issuer_id``? Junk on either side never matches."""
    try:
        entry = normalise(entry_id)
    except MalformedInput:
        return False
    base = issuer_id.split("#", 1)[0]
    if entry.startswith("did:"):
        try:
            return normalise(base) == entry
        except MalformedInput:
            return False
    return _https_covers(_https(entry), base)


def _https_covers(entry: HttpsId, issuer_id: str) -> bool:
    if issuer_id[:8].lower() != "https://":
        return False
    path_and_query = issuer_id[8:]
    url, question, _ = path_and_query.partition("?")
    try:
        issuer = _https("https://" + url)
    except MalformedInput:
        return False
    if issuer.authority != entry.authority:
        return False
    if question and entry.segments:
        # A query picks another resource (a hosting platform's ?id=...): only a whole
        # origin entry covers it, a path entry does not.
        return False
    return issuer.segments[: len(entry.segments)] == entry.segments


def normalize(text: str) -> str:
    """``normalise`` for callers that turn the reason into their own error (UsageError for
    a CLI argument, MalformedInput naming the entry for a trust file)."""
    try:
        return normalise(text)
    except MalformedInput as exc:
        raise ValueError(f"{text.strip()!r} {exc.message}") from None


def is_acceptable(text: str) -> bool:
    """False for an entry stored before entries were checked (``https://``): it trusts nobody."""
    try:
        normalise(text)
    except MalformedInput:
        return False
    return True
