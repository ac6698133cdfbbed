"""SD-JWT (RFC 9901) and SD-JWT VC, written small and strict.

``<issuer-signed JWT>~<disclosure>~...~[<KB-JWT>]``. Every disclosure must be referenced
exactly once; a digest may appear only once; a disclosure may not name ``_sd`` or ``...``
nor overwrite a claim the issuer signed in the clear. Decoy digests are ignored.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from wallet.errors import MalformedInput
from wallet.formats import claimpath
from wallet.jsonguard import MAX_INPUT_BYTES, check_size, load_json
from wallet.model import (
    SIGNATURE,
    Achievement,
    Alignment,
    Check,
    CheckStatus,
    Credential,
    Issuer,
    Result,
    StatusRef,
    Subject,
)
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

FORMAT = "sd-jwt"
VC_TYPES = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
MAX_DISCLOSURES = 1000
# Disclosures nest inside disclosures; each level is a Python frame, so a chain of
# many one-claim disclosures must be refused before it exhausts the recursion limit.
MAX_NESTING = 128
# Claims of the SD-JWT (VC) envelope rather than the credential's content.
ENVELOPE = frozenset(
    {"iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "sub", "_sd_alg"}
)


class DisclosureError(MalformedInput):
    code = "bad_disclosure"


@dataclass(frozen=True)
class Disclosure:
    text: str
    digest: str
    salt: str
    name: str | None  # None for an array element
    value: Any


@dataclass(frozen=True)
class SdJwt:
    jwt: jws.CompactJWS
    disclosures: tuple[Disclosure, ...]
    kb_jwt: str | None
    hash_name: str
    # Disclosure segments that could not be read: the document is still a credential,
    # but one that fails the disclosures check (tampered, not malformed).
    errors: tuple[str, ...] = ()

    @property
    def payload(self) -> dict[str, Any]:
        return self.jwt.payload_json()

    def serialize(self, disclosures: tuple[Disclosure, ...] | None = None) -> str:
        """The ``~`` form without a KB-JWT (ends with ``~``)."""
        if disclosures is None:
            # Made twice per presentation (the credential's bytes, the sd_hash input).
            cached = self.__dict__.get("_serialized")
            if cached is None:
                cached = "~".join([self.jwt.text, *(d.text for d in self.disclosures)]) + "~"
                object.__setattr__(self, "_serialized", cached)
            return cast(str, cached)
        return "~".join([self.jwt.text, *(d.text for d in disclosures)]) + "~"


@dataclass
class Processed:
    claims: dict[str, Any]
    # digest -> JSON Pointer of the claim it discloses, in the processed claims
    paths: dict[str, str] = field(default_factory=dict)
    # digest -> digest of the disclosure whose value holds it (None at top level)
    parents: dict[str, str | None] = field(default_factory=dict)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def digest_of(disclosure_text: str, hash_name: str) -> str:
    return b64url(HASHES[hash_name](disclosure_text.encode("ascii")).digest())


def _decode_disclosure(text: str, hash_name: str) -> Disclosure:
    try:
        raw = keys.b64url_decode(text)
    except MalformedInput:
        raise DisclosureError("a disclosure is not base64url") from None
    value = load_json(raw)
    if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[0], str):
        raise DisclosureError("a disclosure must be a JSON array [salt, (name,) value]")
    name = None
    if len(value) == 3:
        if not isinstance(value[1], str):
            raise DisclosureError("a disclosure's claim name must be a string")
        name = value[1]
        if name in ("_sd", "..."):
            raise DisclosureError(f"a disclosure may not use the claim name {name!r}")
    return Disclosure(text, digest_of(text, hash_name), value[0], name, value[-1])


def split(text: str | bytes) -> SdJwt:
    if isinstance(text, bytes):
        check_size(text, MAX_INPUT_BYTES)
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedInput("an SD-JWT must be ASCII text") from None
    text = text.strip()
    if "~" not in text:
        raise MalformedInput("not an SD-JWT (no ~ separator)")
    parts = text.split("~")
    if len(parts) - 2 > MAX_DISCLOSURES:
        raise MalformedInput(f"more than {MAX_DISCLOSURES} disclosures")
    token = jws.parse_compact(parts[0])
    payload = token.payload_json()
    hash_name = payload.get("_sd_alg", "sha-256")
    if not isinstance(hash_name, str) or hash_name not in HASHES:
        raise MalformedInput(f"_sd_alg {hash_name!r} is not supported")
    kb = parts[-1] or None
    if kb is not None and kb.count(".") != 2:
        # Without the closing ~ the last disclosure would be taken for a KB-JWT and lost.
        raise MalformedInput("an SD-JWT must end with ~ or a key-binding JWT")
    disclosures: list[Disclosure] = []
    errors: list[str] = []
    for part in parts[1:-1]:
        try:
            if not part:
                raise DisclosureError("empty disclosure between ~ separators")
            disclosures.append(_decode_disclosure(part, hash_name))
        except MalformedInput as exc:
            errors.append(exc.message)
    return SdJwt(token, tuple(disclosures), kb, hash_name, tuple(errors))


_CONTAINERS = (dict, list)  # a tuple: isinstance checks it faster than dict | list


def _join(base: str, token: str) -> str:
    # claimpath.join, one call shallower (it runs for every nested claim).
    return base + "/" + token.replace("~", "~0").replace("/", "~1")


def process(sd: SdJwt) -> Processed:
    """Rebuild the claims from the payload and the disclosures (RFC 9901 section 7.1)."""
    if sd.errors:
        raise DisclosureError(sd.errors[0])
    by_digest: dict[str, Disclosure] = {}
    for d in sd.disclosures:
        if d.digest in by_digest:
            raise DisclosureError("the same disclosure is included twice")
        by_digest[d.digest] = d
    seen: set[str] = set()
    out = Processed(claims={})

    def use(digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise DisclosureError("a digest must be a string")
        if digest in seen:
            raise DisclosureError("a digest is used more than once")
        seen.add(digest)
        return by_digest.get(digest)  # None: a decoy

    def walk(node: Any, path: str, parent: str | None, depth: int = 0) -> Any:
        if depth > MAX_NESTING:
            # A limit of ours, not a broken integrity rule: malformed, not invalid.
            raise MalformedInput(f"claims are nested deeper than {MAX_NESTING} levels")
        if isinstance(node, dict):
            result: dict[str, Any] = {}
            for key, value in node.items():
                if key in ("_sd", "_sd_alg"):
                    continue
                if isinstance(value, _CONTAINERS) or depth >= MAX_NESTING:
                    result[key] = walk(value, _join(path, key), parent, depth + 1)
                else:
                    result[key] = value  # a leaf within the limit: nothing to rebuild

            digests = node.get("_sd", [])
            if not isinstance(digests, list):
                raise DisclosureError("_sd must be an array")
            for digest in digests:
                # use(digest), written out: this loop runs once per digest, decoys too.
                if not isinstance(digest, str):
                    raise DisclosureError("a digest must be a string")
                if digest in seen:
                    raise DisclosureError("a digest is used more than once")
                seen.add(digest)
                disclosure = by_digest.get(digest)
                if disclosure is None:
                    continue  # a decoy
                name = disclosure.name
                if name is None:
                    raise DisclosureError(
                        "an array-element disclosure is referenced from an object"
                    )
                if name in result:
                    raise DisclosureError(f"a disclosure would overwrite the claim {name!r}")
                child = _join(path, name)
                out.paths[digest] = child
                out.parents[digest] = parent
                value = disclosure.value
                if isinstance(value, _CONTAINERS) or depth + 1 >= MAX_NESTING:
                    result[name] = walk(value, child, digest, depth + 1)
                else:
                    result[name] = value  # as walk returns a leaf within the limit
            return result
        if isinstance(node, list):
            items: list[Any] = []
            for element in node:
                if isinstance(element, dict) and set(element) == {"..."}:
                    disclosure = use(element["..."])
                    if disclosure is None:
                        continue
                    if disclosure.name is not None:
                        raise DisclosureError(
                            "an object-property disclosure is referenced from an array"
                        )
                    child = claimpath.join(path, str(len(items)))
                    out.paths[disclosure.digest] = child
                    out.parents[disclosure.digest] = parent
                    items.append(walk(disclosure.value, child, disclosure.digest, depth + 1))
                elif isinstance(element, _CONTAINERS) or depth >= MAX_NESTING:
                    items.append(walk(element, _join(path, str(len(items))), parent, depth + 1))
                else:
                    items.append(element)
            return items
        return node

    claims = walk(sd.payload, "", None)
    unused = [d for d in sd.disclosures if d.digest not in seen]
    if unused:
        raise DisclosureError("a disclosure is not referenced by the issuer-signed JWT")
    out.claims = claims
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _flatten(claims: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in claims.items():
        path = claimpath.join(prefix, key)
        if isinstance(value, dict):
            rows.extend(_flatten(value, path))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    rows.extend(_flatten(item, claimpath.join(path, str(i))))
                else:
                    rows.append(
                        (claimpath.join(path, str(i)), json.dumps(item, ensure_ascii=False))
                    )
        else:
            rows.append((path, _text(value) or json.dumps(value)))
    return rows


def _iso(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            raise MalformedInput("a date claim is out of range") from None
    if value is not None:
        # A string exp would otherwise be ignored and the credential never expire.
        raise MalformedInput("iat, nbf and exp must be numbers of seconds (NumericDate)")
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _result(value: Any, label: str | None) -> Result | None:
    """A ``grade`` or ``result`` claim: a string or number, or an object with a value."""
    if isinstance(value, dict):
        result = Result(
            value=_text(value.get("value")) or _text(value.get("grade")),
            status=_text(value.get("status")),
            description=_text(value.get("description")) or _text(value.get("name")) or label,
            achieved_level=_text(value.get("achieved_level")) or _text(value.get("achievedLevel")),
        )
        return result if (result.value or result.status or result.achieved_level) else None
    text = _text(value)
    return Result(value=text, description=label) if text else None


def _skill(value: Any) -> Alignment | None:
    """One element of a ``skills`` claim: a name, or an object with a name (and perhaps
    the framework, code and URL it comes from)."""
    if isinstance(value, str):
        return Alignment(target_name=value) if value else None
    if not isinstance(value, dict):
        return None
    alignment = Alignment(
        target_name=_text(value.get("name")) or _text(value.get("targetName")),
        target_url=_text(value.get("url"))
        or _text(value.get("targetUrl"))
        or _text(value.get("id")),
        target_framework=_text(value.get("framework")) or _text(value.get("targetFramework")),
        target_code=_text(value.get("code")) or _text(value.get("targetCode")),
        target_description=_text(value.get("description")),
    )
    return alignment if (alignment.target_name or alignment.target_url) else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _content(claims: dict[str, Any]) -> dict[str, Any]:
    """The common claims of a (non-W3C) SD-JWT VC in the normalized model, mapped the way
    an Open Badge's are: grade/result -> results, skills -> achievement alignments,
    credits/credit_hours -> credits earned, term, course_code -> the achievement's code,
    name/title and description -> the achievement's. Only the claims the processed SD-JWT
    holds: those signed in the clear and those disclosed."""
    if claims.keys().isdisjoint(_CONTENT_CLAIMS):
        return dict(_NO_CONTENT)  # none of them: what the mapping below gives for that
    grade = _result(claims.get("grade"), "Grade")
    results = [grade] if grade else []
    results.extend(r for r in (_result(x, None) for x in _list(claims.get("result"))) if r)
    alignments = tuple(a for a in (_skill(x) for x in _list(claims.get("skills"))) if a)
    credits = _number(claims.get("credits"))
    if credits is None:
        credits = _number(claims.get("credit_hours"))
    name = _text(claims.get("name")) or _text(claims.get("title"))
    code = _text(claims.get("course_code"))
    description = _text(claims.get("description"))
    achievement = (
        Achievement(name=name, description=description, human_code=code, alignments=alignments)
        if (name or code or description or alignments)
        else None
    )
    return {
        "achievement": achievement,
        "results": tuple(results),
        "credits_earned": credits,
        "term": _text(claims.get("term")),
    }


# Every claim _content reads, and its answer when a credential holds none of them.
_CONTENT_CLAIMS = frozenset(
    {
        "grade",
        "result",
        "skills",
        "credits",
        "credit_hours",
        "name",
        "title",
        "course_code",
        "description",
        "term",
    }
)
_NO_CONTENT: dict[str, Any] = {
    "achievement": None,
    "results": (),
    "credits_earned": None,
    "term": None,
}


def to_credential(sd: SdJwt, processed: Processed, raw: bytes) -> Credential:
    claims = processed.claims
    cnf = claims.get("cnf")
    holder = cnf.get("jwk") if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict) else None
    status: tuple[StatusRef, ...] = ()
    status_list = (
        claims.get("status", {}).get("status_list")
        if isinstance(claims.get("status"), dict)
        else None
    )
    if isinstance(status_list, dict) and isinstance(status_list.get("uri"), str):
        idx = status_list.get("idx")
        if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
            raise MalformedInput("status_list idx must be a non-negative integer")
        status = (StatusRef("TokenStatusList", status_list["uri"], idx),)
    disclosable = tuple(sorted(processed.paths.values(), key=_sort_key))
    iss = issuer_of(claims)
    if "credentialSubject" in claims and "@context" in claims:
        from wallet.formats.vc_jsonld import normalize_vc
        from wallet.formats.vc_jwt import bounded_by_jwt_times

        body = {k: v for k, v in claims.items() if k not in ENVELOPE}
        body.setdefault("issuer", iss)
        base = normalize_vc(body, fmt=FORMAT, raw=raw, media_type="application/dc+sd-jwt")
        # exp/nbf of the issuer-signed JWT bound the VC's own validity period.
        credential = Credential(
            **{
                **base.__dict__,
                "status": base.status or status,
                "disclosable": disclosable,
                "holder_jwk": holder,
                "valid_from": base.valid_from or _iso(claims.get("nbf")) or _iso(claims.get("iat")),
                "valid_until": base.valid_until or _iso(claims.get("exp")),
                "document": claims,
            }
        )
        return bounded_by_jwt_times(credential, claims)
    content = {k: v for k, v in claims.items() if k not in ENVELOPE}
    issuer_name = _text(claims.get("issuer_name"))
    name = (
        _text(claims.get("name"))
        or _text(claims.get("title"))
        or _text(claims.get("vct"))
        or "SD-JWT credential"
    )
    subject_name = " ".join(
        x for x in (_text(claims.get("given_name")), _text(claims.get("family_name"))) if x
    )
    issued = _iso(claims.get("iat"))
    return Credential(
        format=FORMAT,
        raw=raw,
        title=name,
        description=_text(claims.get("description")),
        issuer=Issuer(id=iss, name=issuer_name),
        subject=Subject(
            id=_text(claims.get("sub")), name=subject_name or None, claims=tuple(_flatten(content))
        ),
        issued=issued,
        valid_from=_iso(claims.get("nbf")) or issued,
        valid_until=_iso(claims.get("exp")),
        **_content(content),
        status=status,
        disclosable=disclosable,
        holder_jwk=holder,
        media_type="application/dc+sd-jwt",
        document=claims,
    )


def parse(data: bytes) -> Credential:
    """The credential, or for one whose disclosures break an integrity rule, the credential
    as the issuer signed it in the clear, so that verifying it says ``invalid``."""
    sd = split(data)
    try:
        processed = process(sd)
    except DisclosureError:
        processed = Processed(claims=signed_only(sd.payload))
    return to_credential(sd, processed, data)


def signed_only(node: Any) -> Any:
    """The issuer-signed claims without digests: what is shown when no disclosure can be
    trusted."""
    if isinstance(node, dict):
        return {k: signed_only(v) for k, v in node.items() if k not in ("_sd", "_sd_alg")}
    if isinstance(node, list):
        return [signed_only(x) for x in node if not (isinstance(x, dict) and set(x) == {"..."})]
    return node


def issuer_of(payload: dict[str, Any]) -> str | None:
    """``iss``, or for a W3C VC carried as SD-JWT its ``issuer``."""
    for value in (payload.get("iss"), payload.get("issuer")):
        found = _issuer_text(value)
        if found is not None:
            return found
    return None


def _issuer_text(value: Any) -> str | None:
    """The issuer ``value`` names: a string, or an object's string id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _issuer_mismatch(payload: dict[str, Any], claims: dict[str, Any]) -> str | None:
    """The issuer the signature was checked for (from the signed payload) must be every
    issuer the credential shows: ``iss`` and a W3C VC's ``issuer``, disclosed or not."""
    verified = issuer_of(payload)
    shown = {_issuer_text(claims.get("iss")), _issuer_text(claims.get("issuer"))}
    shown.discard(None)
    for name in sorted(x for x in shown if x is not None):
        if verified is None:
            return f"the issuer {name} is only named in a disclosure, not in the signed JWT"
        if name != verified:
            return f"the signed issuer {verified} differs from the issuer {name}"
    return None


# SD-JWT VC: claims the holder must not be able to withhold (a hidden exp or status
# would hide expiry or revocation from the verifier).
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "status"})


def _hidden_envelope(processed: Processed) -> str | None:
    # The first in pointer order, as before; only the hidden ones need sorting.
    hidden = [p for p in processed.paths.values() if _first_token(p) in NEVER_DISCLOSABLE]
    return min(hidden, key=_sort_key) if hidden else None


# Pure functions of a pointer's text; a verifier meets the same few claim paths again and
# again. Bounded by lru_cache; the sort key (a list) is only ever compared, never changed.
_sort_key = functools.lru_cache(maxsize=1024)(claimpath.sort_key)


@functools.lru_cache(maxsize=1024)
def _first_token(path: str) -> str:
    return claimpath.tokens(path)[0]


def issuer_checks(sd: SdJwt, ctx: VerifyContext) -> list[Check]:
    """The issuer signature and the disclosures of an SD-JWT."""
    return issuer_checks_and_claims(sd, ctx)[0]


def issuer_checks_and_claims(sd: SdJwt, ctx: VerifyContext) -> tuple[list[Check], Processed | None]:
    """issuer_checks, and the processed claims they were made on (None when the
    disclosures cannot be processed), so a caller need not process them again."""
    iss = issuer_of(sd.payload)
    typ = sd.jwt.header.get("typ")
    checks = [jws.verify_issuer_signature(sd.jwt, iss, ctx)]
    # typ comes from untrusted JSON: a list or object must not reach the set lookup.
    known = isinstance(typ, str) and (typ in VC_TYPES or typ in ("JWT", "example+sd-jwt"))
    if typ is not None and not known:
        checks.append(Check("type", CheckStatus.WARNING, f"unexpected typ {typ!r}"))
    processed: Processed | None = None
    try:
        processed = process(sd)
    except MalformedInput as exc:
        checks.append(Check("disclosures", CheckStatus.FAILED, exc.message))
    else:
        mismatch = _issuer_mismatch(sd.payload, processed.claims)
        if mismatch:
            # The VC would be shown under one issuer while another one signed it.
            checks[0] = Check(SIGNATURE, CheckStatus.FAILED, mismatch)
        hidden = _hidden_envelope(processed) if isinstance(typ, str) and typ in VC_TYPES else None
        if hidden:
            checks.append(
                Check(
                    "disclosures",
                    CheckStatus.FAILED,
                    f"{hidden} is selectively disclosable; an SD-JWT VC must not let the "
                    "holder withhold it",
                )
            )
        else:
            checks.append(
                Check(
                    "disclosures",
                    CheckStatus.PASSED,
                    f"{len(processed.paths)} disclosures match their digests",
                )
            )
    return checks, processed


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    sd = split(credential.raw)
    checks = issuer_checks(sd, ctx)
    if sd.kb_jwt:
        checks.append(
            Check(
                "holder_binding",
                CheckStatus.NOT_CHECKED,
                "a key-binding JWT is only checked in a presentation",
            )
        )
    return checks


def processed_claims(credential_or_text: Credential | str | bytes) -> dict[str, Any]:
    """The claims once every included disclosure is applied (RFC 9901 section 7.1):
    what a verifier of this SD-JWT sees. Raises MalformedInput for bad disclosures."""
    if isinstance(credential_or_text, Credential):
        if credential_or_text.format != FORMAT:
            raise MalformedInput(f"not an SD-JWT credential ({credential_or_text.format})")
        credential_or_text = credential_or_text.raw
    return process(split(credential_or_text)).claims


__all__ = [
    "FORMAT",
    "SIGNATURE",
    "Disclosure",
    "Processed",
    "SdJwt",
    "digest_of",
    "issuer_checks_and_claims",
    "parse",
    "process",
    "processed_claims",
    "split",
]
