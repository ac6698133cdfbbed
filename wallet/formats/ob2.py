"""Open Badges 2.0 assertions: hosted ("ob2", JSON) and signed ("ob2-signed", a JWS).

A hosted assertion is verified by fetching it again from the issuer's server; offline
that means the copy in the document cache, if any: without it the signature check is
``not_checked``, never passed. A signed assertion is verified against the issuer's
CryptographicKey (``verification.creator``), also taken from the cache.

Badge classes and issuer profiles given as URLs are looked up in the cache too
(``with_linked_documents``); at parse time, without a cache, they stay unknown.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry

from wallet.errors import MalformedInput, UnsupportedInput, WalletError
from wallet.formats import detect
from wallet.formats.vc_jsonld import normalize_alignment, normalize_evidence, normalize_issuer
from wallet.jsonguard import jwt_parts, load_json
from wallet.model import (
    SIGNATURE,
    STATUS,
    Achievement,
    Check,
    CheckStatus,
    Credential,
    Endorsement,
    Issuer,
    StatusRef,
    Subject,
)
from wallet.verify import dids, issuer_keys
from wallet.verify.context import CachedDocument, DocumentCache, VerifyContext

FORMAT_HOSTED = detect.OB2
FORMAT_SIGNED = detect.OB2_SIGNED
OB2_REVOCATION = "OB2RevocationList"
# OB 2.0 signed badges use RS256; ES256 is accepted too (some issuers use it).
SIGNED_ALGS = ("RS256", "ES256")
MIN_RSA_BITS = 2048
MAX_LIST_ITEMS = 1000


# -- small readers ------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_LIST_ITEMS:
        raise MalformedInput(f"more than {MAX_LIST_ITEMS} items in one list")
    return items


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id_of(value: Any) -> str | None:
    return _str(value) if isinstance(value, str) else _str(_obj(value).get("id"))


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _age(doc: CachedDocument, now: datetime) -> str:
    days = max(0, doc.age(now).days)
    return f"fetched {_day(doc.fetched_at)}, {days} day{'s' if days != 1 else ''} ago"


# -- parsing ------------------------------------------------------------------------------------


def _achievement(badge: Any) -> Achievement | None:
    if isinstance(badge, str):
        return Achievement(id=badge)
    b = _obj(badge)
    if not b:
        return None
    criteria = b.get("criteria")
    criteria_obj = _obj(criteria)
    return Achievement(
        id=_str(b.get("id")),
        name=_str(b.get("name")),
        description=_str(b.get("description")),
        criteria_narrative=_str(criteria_obj.get("narrative")),
        criteria_url=_str(criteria) or _str(criteria_obj.get("id")),
        image=_id_of(b.get("image")),
        tags=tuple(t for t in _items(b.get("tags")) if isinstance(t, str)),
        alignments=tuple(
            normalize_alignment(a) for a in _items(b.get("alignment")) if isinstance(a, dict)
        ),
    )


def _endorsement(value: Any) -> Endorsement | None:
    e = _obj(value)
    if not e:
        return None  # a URL to an endorsement we have not fetched
    return Endorsement(
        issuer=normalize_issuer(e.get("issuer")),
        comment=_str(_obj(e.get("claim")).get("endorsementComment")),
        issued=_str(e.get("issuedOn")),
    )


def _subject(assertion: dict[str, Any]) -> Subject:
    recipient = _obj(assertion.get("recipient"))
    claims: list[tuple[str, str]] = []
    for key in ("type", "identity", "hashed", "salt"):
        value = recipient.get(key)
        if isinstance(value, bool):
            claims.append((f"recipient.{key}", "true" if value else "false"))
        elif isinstance(value, str):
            claims.append((f"recipient.{key}", value))
    narrative = _str(assertion.get("narrative"))
    if narrative:
        claims.append(("narrative", narrative))
    hashed = recipient.get("hashed") is True
    identity = _str(recipient.get("identity"))
    # A hashed identity is not an id anyone can read; a plain one (an email) is.
    return Subject(id=None if hashed else identity, claims=tuple(claims))


def _status_refs(assertion: dict[str, Any], issuer: Any) -> tuple[StatusRef, ...]:
    url = _str(_obj(issuer).get("revocationList"))
    if url is None or _str(assertion.get("id")) is None:
        return ()
    return (StatusRef(type=OB2_REVOCATION, list_url=url, index=0, purpose="revocation"),)


def normalize(assertion: dict[str, Any], raw: bytes, fmt: str, media_type: str) -> Credential:
    """The normalized Credential for an OB 2.0 assertion (badge/issuer embedded or URLs)."""
    if not detect.is_ob2_assertion(assertion):
        raise UnsupportedInput("not an Open Badges 2.0 assertion")
    if assertion.get("badge") is None or not isinstance(assertion.get("recipient"), dict):
        raise MalformedInput("OB 2.0 assertion needs a badge and a recipient")
    badge = assertion.get("badge")
    badge_obj = _obj(badge)
    issuer_value = badge_obj.get("issuer")
    achievement = _achievement(badge)
    endorsements = [
        e
        for source in (assertion, badge_obj, _obj(issuer_value))
        for item in _items(source.get("endorsement"))
        if (e := _endorsement(item)) is not None
    ]
    name = achievement.name if achievement else None
    title = name or "Open Badge (badge details not available)"
    return Credential(
        format=fmt,
        raw=raw,
        title=title,
        description=achievement.description if achievement else None,
        issuer=normalize_issuer(issuer_value) if issuer_value is not None else Issuer(),
        subject=_subject(assertion),
        issued=_str(assertion.get("issuedOn")),
        valid_until=_str(assertion.get("expires")),
        achievement=achievement,
        evidence=tuple(normalize_evidence(e) for e in _items(assertion.get("evidence"))),
        endorsements=tuple(endorsements),
        status=_status_refs(assertion, issuer_value),
        media_type=media_type,
        document=assertion,
    )


def _assertion_of(data: bytes) -> tuple[dict[str, Any], str, str]:
    """(assertion, format, media type) of hosted JSON or a compact JWS."""
    kind = detect.container(data)
    if kind == detect.JSON:
        doc = load_json(data)
        if not isinstance(doc, dict):
            raise MalformedInput("an OB 2.0 assertion must be a JSON object")
        return doc, FORMAT_HOSTED, "application/json"
    if kind == detect.JWT:
        _, payload = jwt_parts(data.decode("ascii").strip())
        if not isinstance(payload, dict):
            raise MalformedInput("signed OB 2.0 assertion payload must be a JSON object")
        return payload, FORMAT_SIGNED, "application/jws"
    raise UnsupportedInput(f"an OB 2.0 assertion is JSON or a JWS, not {kind}")


def parse(data: bytes) -> Credential:
    """Parse a hosted (JSON) or signed (compact JWS) OB 2.0 assertion."""
    assertion, fmt, media_type = _assertion_of(data)
    return normalize(assertion, data, fmt, media_type)


# -- linked documents ---------------------------------------------------------------------------


def with_linked_documents(credential: Credential, ctx: VerifyContext) -> Credential:
    """``credential`` with its badge class and issuer profile filled in from the cache
    where the assertion only names them by URL. ``raw`` and ``document`` are unchanged."""
    if credential.format not in (FORMAT_HOSTED, FORMAT_SIGNED):
        return credential
    cache = ctx.cache
    assertion = dict(credential.document)
    badge = assertion.get("badge")
    if isinstance(badge, str):
        fetched = issuer_keys.cached_object(cache, badge)
        if fetched is None:
            return credential
        badge = fetched
    badge = dict(_obj(badge))
    if isinstance(badge.get("issuer"), str):
        issuer = issuer_keys.cached_object(cache, badge["issuer"])
        if issuer is not None:
            badge["issuer"] = issuer
    assertion["badge"] = badge
    try:
        enriched = normalize(assertion, credential.raw, credential.format, credential.media_type)
    except WalletError:
        return credential
    return dataclasses.replace(enriched, document=credential.document)


# -- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    id: str
    doc: dict[str, Any]
    # True when the profile came from the cache under its own id (the issuer's server);
    # an embedded profile is written by whoever made the badge and proves nothing.
    hosted: bool


def _issuer_profile(credential: Credential, cache: DocumentCache) -> _Profile | None:
    badge = credential.document.get("badge")
    badge_obj = issuer_keys.cached_object(cache, badge) if isinstance(badge, str) else _obj(badge)
    issuer = _obj(badge_obj).get("issuer")
    issuer_id = _id_of(issuer)
    if issuer_id is None:
        return None
    fetched = issuer_keys.cached_object(cache, issuer_id)
    if fetched is not None and fetched.get("id") == issuer_id:
        return _Profile(issuer_id, fetched, hosted=True)
    if isinstance(issuer, dict):
        return _Profile(issuer_id, issuer, hosted=False)
    return None


def _named_issuer(credential: Credential, cache: DocumentCache) -> tuple[str | None, str | None]:
    """(the issuer id the badge class names, or the badge class URL to cache to know it)."""
    badge = credential.document.get("badge")
    if isinstance(badge, str):
        fetched = issuer_keys.cached_object(cache, badge)
        if fetched is None:
            return None, badge
        return _id_of(fetched.get("issuer")), None
    return _id_of(_obj(badge).get("issuer")), None


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""


def _origin_allowed(url: str, profile: _Profile) -> bool:
    """OB 2.0 hosted verification policy: the assertion lives where the issuer says.

    Only a hosted profile may widen that (startsWith, allowedOrigins); otherwise the
    assertion must be on the issuer id's own host.
    """
    if profile.hosted:
        policy = _obj(profile.doc.get("verification"))
        starts = [s for s in _items(policy.get("startsWith")) if isinstance(s, str)]
        if starts:
            return any(url.startswith(s) for s in starts)
        allowed = [o for o in _items(policy.get("allowedOrigins")) if isinstance(o, str)]
        if allowed:
            return _host(url) in allowed
    return _host(url) != "" and _host(url) == _host(profile.id)


def _failed(detail: str) -> list[Check]:
    return [Check(SIGNATURE, CheckStatus.FAILED, detail)]


def _verify_hosted(credential: Credential, ctx: VerifyContext) -> list[Check]:
    url = _str(credential.document.get("id"))
    offline = "hosted assertion: needs the issuer's server; not checked offline"
    if url is None or not url.startswith("https://"):
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"{offline} (no https id)")]
    cached = ctx.cache.get(url)
    if cached is None:
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, offline)]
    try:
        hosted = load_json(cached.data)
    except MalformedInput as exc:
        return _failed(f"the issuer's hosted copy is unreadable: {exc}")
    age = _age(cached, ctx.now)
    revoked: list[Check] = []
    if isinstance(hosted, dict) and hosted.get("revoked") is True:
        # The issuer's server marks a revoked assertion in its hosted copy.
        reason = _str(hosted.get("revocationReason"))
        why = f": {reason}" if reason else ""
        revoked = [Check(STATUS, CheckStatus.FAILED, f"revoked by the issuer ({age}){why}")]
        hosted = {k: v for k, v in hosted.items() if k not in ("revoked", "revocationReason")}
    if hosted != credential.document:
        return _failed(f"this badge differs from the issuer's hosted copy at {url} ({age})") + (
            revoked
        )
    profile = _issuer_profile(credential, ctx.cache)
    if profile is None:
        detail = (
            "hosted copy matches, but the issuer profile is not cached: "
            "cannot tell whether the issuer hosts it"
        )
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, detail), *revoked]
    if not _origin_allowed(url, profile):
        detail = f"assertion {url} is not hosted where issuer {profile.id} allows"
        return [*_failed(detail), *revoked]
    return [
        Check(SIGNATURE, CheckStatus.PASSED, f"matches the issuer's hosted copy ({age})"),
        *revoked,
    ]


def _verify_signed(credential: Credential, ctx: VerifyContext) -> list[Check]:
    token = credential.raw.decode("ascii", "replace").strip()
    verification = _obj(credential.document.get("verification"))
    creator = _str(verification.get("creator"))
    try:
        header, _ = jwt_parts(token)
    except MalformedInput as exc:
        return [Check(SIGNATURE, CheckStatus.FAILED, str(exc))]
    alg = header.get("alg")
    if alg not in SIGNED_ALGS:
        return [Check(SIGNATURE, CheckStatus.FAILED, f"signature algorithm {alg!r} is not allowed")]
    if creator is None:
        return _failed("signed assertion names no verification.creator")
    key_doc = issuer_keys.cached_object(ctx.cache, creator)
    if key_doc is None:
        return [
            Check(SIGNATURE, CheckStatus.NOT_CHECKED, f"issuer key {creator} is not cached offline")
        ]
    pem = _str(key_doc.get("publicKeyPem"))
    if pem is None:
        return [Check(SIGNATURE, CheckStatus.FAILED, f"issuer key {creator} has no publicKeyPem")]
    owner = _str(key_doc.get("owner"))
    issuer_id, missing = _named_issuer(credential, ctx.cache)
    if issuer_id is None:
        detail = (
            f"the badge class {missing} is not cached: cannot tell whose key {creator} must be"
            if missing
            else "the badge names no issuer"
        )
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, detail)]
    try:
        source = issuer_keys.prove_ob2_key(creator, issuer_id, owner, ctx)
    except dids.KeyNotAvailable as exc:
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, exc.message)]
    except WalletError as exc:
        return _failed(exc.message)
    try:
        with warnings.catch_warnings():
            # joserfc warns about short RSA keys; we refuse them with a check instead.
            warnings.simplefilter("ignore", SecurityWarning)
            key = JWKRegistry.import_key(pem.encode("ascii"), "EC" if alg == "ES256" else "RSA")
        size = getattr(key.raw_value, "key_size", 0)
        if alg == "RS256" and size < MIN_RSA_BITS:
            return _failed(f"issuer key {creator} is a {size}-bit RSA key; too weak")
        jws.deserialize_compact(token, key, algorithms=[str(alg)])
    except (JoseError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        detail = str(exc) or type(exc).__name__
        return [Check(SIGNATURE, CheckStatus.FAILED, f"signature does not verify ({detail})")]
    detail = f"{alg} signature by {creator} (key of {issuer_id}, {source})"
    return [Check(SIGNATURE, CheckStatus.PASSED, detail)]


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    """SIGNATURE for a hosted (cached copy) or signed (cached key) OB 2.0 assertion."""
    if credential.format == FORMAT_SIGNED:
        return _verify_signed(credential, ctx)
    return _verify_hosted(credential, ctx)
