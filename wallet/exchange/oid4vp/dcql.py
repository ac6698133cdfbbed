"""The Digital Credentials Query Language (OpenID4VP 1.0 section 6) and claims path
pointers (section 7): a strict reader of queries, and their evaluation against
credentials described as plain JSON (``Candidate``), for the holder (what to present)
and the verifier (whether what came back answers what was asked).

Pure: no store, no network. The wallet decides what a candidate is (wallet.remote).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld as pyld

from wallet.errors import MalformedInput, NotFound, UnsupportedInput, WalletError
from wallet.formats import claimpath
from wallet.verify import jsonld

SD_JWT = "dc+sd-jwt"
LDP_VC = "ldp_vc"
JWT_VC = "jwt_vc_json"
# vc+sd-jwt is the draft name of dc+sd-jwt; read as the same format.
FORMATS = {SD_JWT: SD_JWT, "vc+sd-jwt": SD_JWT, LDP_VC: LDP_VC, JWT_VC: JWT_VC}
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
MAX_CREDENTIAL_QUERIES = 50
MAX_CLAIMS = 100
MAX_PATH = 32
MAX_VALUES = 100

PathPart = str | int | None
Value = str | int | bool


@dataclass(frozen=True)
class ClaimQuery:
    path: tuple[PathPart, ...]
    id: str | None = None
    values: tuple[Value, ...] | None = None

    def describe(self) -> str:
        shown = "/".join("*" if p is None else str(p) for p in self.path)
        if self.values is not None:
            shown += " = " + " or ".join(repr(v) for v in self.values)
        return shown


@dataclass(frozen=True)
class CredentialQuery:
    id: str
    format: str  # one of SD_JWT, LDP_VC, JWT_VC
    meta: Mapping[str, Any]
    claims: tuple[ClaimQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    multiple: bool = False
    require_binding: bool = True

    @property
    def vct_values(self) -> tuple[str, ...]:
        return tuple(self.meta.get("vct_values", ()))

    @property
    def type_values(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(t) for t in self.meta.get("type_values", ()))

    def describe(self) -> str:
        kinds = self.vct_values or tuple(" + ".join(t) for t in self.type_values)
        kind = " or ".join(kinds) if kinds else "any type"
        claims = ", ".join(c.describe() for c in self.claims or ()) or "no particular claims"
        return f"a {self.format} credential of type {kind} with {claims}"


@dataclass(frozen=True)
class CredentialSet:
    options: tuple[tuple[str, ...], ...]
    required: bool = True
    purpose: str | None = None  # a draft member some verifiers still send; shown only


@dataclass(frozen=True)
class Query:
    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSet, ...] | None = None

    def by_id(self, query_id: str) -> CredentialQuery:
        return next(q for q in self.credentials if q.id == query_id)

    @property
    def purposes(self) -> list[str]:
        return [s.purpose for s in self.credential_sets or () if s.purpose]


# -- reading a query -----------------------------------------------------------------------


def _bad(message: str) -> MalformedInput:
    return MalformedInput(f"the DCQL query is malformed: {message}")


def _list(value: Any, what: str, limit: int) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise _bad(f"{what} must be a non-empty array")
    if len(value) > limit:
        raise _bad(f"{what} has more than {limit} entries")
    return value


def _ident(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _bad(f"{what} must be letters, digits, _ or - (got {str(value)[:40]!r})")
    return value


def _path(value: Any) -> tuple[PathPart, ...]:
    parts = _list(value, "a claim path", MAX_PATH)
    for part in parts:
        ok = part is None or isinstance(part, str)
        ok = ok or (isinstance(part, int) and not isinstance(part, bool) and part >= 0)
        if not ok:
            raise _bad(f"a claim path holds {part!r}: only names, indexes and null")
    return tuple(parts)


def _claim(value: Any) -> ClaimQuery:
    if not isinstance(value, dict):
        raise _bad("each claims entry must be an object")
    ident = _ident(value["id"], "a claim id") if "id" in value else None
    values = None
    if "values" in value:
        raw = _list(value["values"], "claim values", MAX_VALUES)
        if not all(isinstance(v, str | int | bool) for v in raw):
            raise _bad("claim values must be strings, integers or booleans")
        values = tuple(raw)
    return ClaimQuery(_path(value.get("path")), ident, values)


def _meta(fmt: str, meta: Any, qid: str) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise _bad(f"credential query {qid} needs a meta object")
    if fmt == SD_JWT and "vct_values" in meta:
        vcts = _list(meta["vct_values"], "vct_values", MAX_VALUES)
        if not all(isinstance(v, str) for v in vcts):
            raise _bad("vct_values must be strings")
    if fmt in (LDP_VC, JWT_VC) and "type_values" in meta:
        for alternative in _list(meta["type_values"], "type_values", MAX_VALUES):
            types = _list(alternative, "each type_values entry", MAX_VALUES)
            if not all(isinstance(t, str) for t in types):
                raise _bad("type_values must hold arrays of strings")
    return meta


def _credential(value: Any) -> CredentialQuery:
    if not isinstance(value, dict):
        raise _bad("each credentials entry must be an object")
    qid = _ident(value.get("id"), "a credential query id")
    raw_format = value.get("format")
    if not isinstance(raw_format, str):
        raise _bad(f"credential query {qid} names no format")
    fmt = FORMATS.get(raw_format)
    if fmt is None:
        raise UnsupportedInput(
            f"the request asks for format {raw_format!r}; this wallet presents "
            f"{', '.join(sorted(set(FORMATS.values())))}"
        )
    if "trusted_authorities" in value:
        # A hint for data minimisation only (the verifier checks issuers itself); we do
        # not evaluate it, so we must not pretend a credential meets it.
        raise UnsupportedInput(f"credential query {qid} uses trusted_authorities (not supported)")
    claims = None
    if "claims" in value:
        claims = tuple(_claim(c) for c in _list(value["claims"], "claims", MAX_CLAIMS))
        claim_ids = [c.id for c in claims if c.id is not None]
        if len(claim_ids) != len(set(claim_ids)):
            raise _bad(f"credential query {qid} repeats a claim id")
    claim_sets = None
    if "claim_sets" in value:
        if claims is None:
            raise _bad(f"credential query {qid} has claim_sets but no claims")
        known = {c.id for c in claims}
        sets: list[tuple[str, ...]] = []
        for option in _list(value["claim_sets"], "claim_sets", MAX_CLAIMS):
            ids = tuple(
                _ident(i, "a claim_sets id") for i in _list(option, "a claim set", MAX_CLAIMS)
            )
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise _bad(f"claim_sets of {qid} names unknown claim {unknown[0]!r}")
            sets.append(ids)
        claim_sets = tuple(sets)
    flags = {
        k: value.get(k, d)
        for k, d in (("multiple", False), ("require_cryptographic_holder_binding", True))
    }
    if not all(isinstance(v, bool) for v in flags.values()):
        raise _bad(f"multiple and require_cryptographic_holder_binding of {qid} must be booleans")
    return CredentialQuery(
        qid,
        fmt,
        _meta(fmt, value.get("meta"), qid),
        claims,
        claim_sets,
        flags["multiple"],
        flags["require_cryptographic_holder_binding"],
    )


def _credential_set(value: Any, known: set[str]) -> CredentialSet:
    if not isinstance(value, dict):
        raise _bad("each credential_sets entry must be an object")
    options = []
    for option in _list(value.get("options"), "credential set options", MAX_CREDENTIAL_QUERIES):
        ids = tuple(
            _ident(i, "a credential id") for i in _list(option, "an option", MAX_CREDENTIAL_QUERIES)
        )
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise _bad(f"credential_sets names unknown credential query {unknown[0]!r}")
        options.append(ids)
    required = value.get("required", True)
    if not isinstance(required, bool):
        raise _bad("credential_sets required must be a boolean")
    purpose = value.get("purpose")
    return CredentialSet(tuple(options), required, purpose if isinstance(purpose, str) else None)


def parse_query(value: Any) -> Query:
    """A DCQL query from its JSON form; MalformedInput (or UnsupportedInput) in one line."""
    if not isinstance(value, dict):
        raise _bad("it must be a JSON object")
    credentials = tuple(
        _credential(c)
        for c in _list(value.get("credentials"), "credentials", MAX_CREDENTIAL_QUERIES)
    )
    ids = [c.id for c in credentials]
    if len(ids) != len(set(ids)):
        raise _bad("two credential queries share an id")
    sets = None
    if "credential_sets" in value:
        raw_sets = _list(value["credential_sets"], "credential_sets", MAX_CREDENTIAL_QUERIES)
        sets = tuple(_credential_set(s, set(ids)) for s in raw_sets)
    return Query(credentials, sets)


# -- claims path pointers ------------------------------------------------------------------


def select(root: Any, path: Sequence[PathPart]) -> list[tuple[tuple[str | int, ...], Any]]:
    """The claims a path selects, each with its concrete path (section 7.1.1); empty
    when processing ends in an error or selects nothing."""
    selected: list[tuple[tuple[str | int, ...], Any]] = [((), root)]
    for part in path:
        following: list[tuple[tuple[str | int, ...], Any]] = []
        for where, node in selected:
            if isinstance(part, str):
                if not isinstance(node, dict):
                    return []
                if part in node:
                    following.append(((*where, part), node[part]))
            elif part is None:
                if not isinstance(node, list):
                    return []
                following.extend(((*where, i), item) for i, item in enumerate(node))
            else:
                if not isinstance(node, list):
                    return []
                if part < len(node):
                    following.append(((*where, part), node[part]))
        selected = following
    return selected


def to_pointer(concrete: Iterable[str | int]) -> str:
    return claimpath.pointer([str(p) for p in concrete])


def _same(a: Any, b: Value) -> bool:
    # True == 1 in Python; a DCQL value matches only when type and value both match.
    return type(a) is type(b) and a == b


def claim_pointers(root: Any, claim: ClaimQuery) -> list[str]:
    """JSON Pointers of the claims ``claim`` selects in ``root`` (after value matching)."""
    hits = select(root, claim.path)
    if claim.values is not None:
        hits = [(w, v) for w, v in hits if any(_same(v, x) for x in claim.values)]
    return [to_pointer(w) for w, _ in hits]


def expanded_types(document: Mapping[str, Any]) -> frozenset[str]:
    """The ``type`` values as written and as fully expanded IRIs (section B.1.1), with
    the bundled contexts; the written ones alone when a context is not bundled."""
    raw = document.get("type")
    written = [raw] if isinstance(raw, str) else [t for t in raw or () if isinstance(t, str)]
    if not written:
        return frozenset()
    try:
        probe = {"@context": document.get("@context"), "type": written}
        # base None: an undefined type stays the relative IRI it is (section B.1.1).
        expanded = pyld.expand(probe, {"documentLoader": jsonld.document_loader, "base": None})
        iris = [t for node in expanded for t in node.get("@type", ())]
    except (pyld.JsonLdError, WalletError, TypeError, ValueError):
        iris = []
    return frozenset([*written, *iris])


# The contexts a short type name is read in when a verifier names one (VC 2.0, then OB 3.0).
KNOWN_CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)


def expand_type(name: str) -> str:
    """The IRI a short type name has in the VC 2.0 and OB 3.0 contexts (type_values are
    fully expanded IRIs), or the name itself when those contexts do not define it."""
    if ":" in name:
        return name
    iris = [
        t for t in expanded_types({"@context": list(KNOWN_CONTEXTS), "type": [name]}) if ":" in t
    ]
    return iris[0] if len(iris) == 1 else name


# -- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A credential as DCQL sees it. ``claims`` is the JSON the paths apply to (SD-JWT:
    every claim after disclosure; W3C: the credential itself)."""

    key: str
    format: str
    claims: Mapping[str, Any]
    vct: str | None = None
    types: frozenset[str] = frozenset()  # as written and fully expanded
    bound: bool = True


@dataclass(frozen=True)
class Match:
    query_id: str
    key: str
    pointers: tuple[str, ...]  # what the query selects in this credential


def _meta_ok(query: CredentialQuery, c: Candidate) -> bool:
    if query.format == SD_JWT:
        # vct_values is REQUIRED; without it nothing constrains the type.
        return not query.vct_values or c.vct in query.vct_values
    alternatives = query.type_values
    return not alternatives or any(set(t) <= c.types for t in alternatives)


def match(query: CredentialQuery, c: Candidate) -> Match | None:
    """The claims of ``c`` that answer ``query`` (section 6.4.1), or None."""
    if c.format != query.format or not _meta_ok(query, c):
        return None
    if query.require_binding and not c.bound:
        return None
    if query.claims is None:
        return Match(query.id, c.key, ())
    found = {i: claim_pointers(c.claims, q) for i, q in enumerate(query.claims)}
    if query.claim_sets is None:
        if not all(found.values()):
            return None
        return Match(query.id, c.key, _flat(found.values()))
    index = {q.id: i for i, q in enumerate(query.claims)}
    for option in query.claim_sets:  # the verifier's order is its preference
        if all(found[index[i]] for i in option):
            return Match(query.id, c.key, _flat(found[index[i]] for i in option))
    return None


def _flat(groups: Iterable[list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out.extend(p for p in group if p not in out)
    return tuple(out)


@dataclass
class Plan:
    """What to present: for each answered credential query, the chosen match(es)."""

    answers: dict[str, list[Match]] = field(default_factory=dict)
    unanswered_optional: list[str] = field(default_factory=list)


class NoMatch(NotFound):
    """No stored credential answers the request."""

    code = "no_matching_credential"


def matches(query: Query, candidates: Sequence[Candidate]) -> dict[str, list[Match]]:
    found: dict[str, list[Match]] = {}
    for q in query.credentials:
        found[q.id] = [m for c in candidates if (m := match(q, c)) is not None]
    return found


def plan(query: Query, found: Mapping[str, list[Match]], prefer: Sequence[str] = ()) -> Plan:
    """The credentials to present (section 6.4.2): every required credential set answered
    by its first option this wallet can satisfy, optional ones when they can be. ``prefer``
    lists credential keys to choose first among several that match."""

    def pick(qid: str) -> list[Match]:
        options = sorted(found[qid], key=lambda m: m.key not in prefer)
        return options[:1]

    result = Plan()
    sets = query.credential_sets or (CredentialSet(((q.id,),)) for q in query.credentials)
    for cset in sets:
        chosen = next((o for o in cset.options if all(found.get(i) for i in o)), None)
        if chosen is None:
            if cset.required:
                asked = " / ".join(
                    " and ".join(query.by_id(i).describe() for i in o) for o in cset.options
                )
                raise NoMatch(
                    f"you have no credential that matches this request: it asks for {asked}"
                )
            result.unanswered_optional.extend(cset.options[0])
            continue
        for qid in chosen:
            result.answers.setdefault(qid, pick(qid))
    return result


def unmet(query: Query, presented: Mapping[str, Sequence[Candidate]]) -> list[str]:
    """The verifier's check that a response answers its query (section 8.6, step 3): what
    does not hold, empty when all does. ``presented`` holds, per credential query id, each
    presented credential as the verifier now sees it."""
    problems = []
    for qid, items in presented.items():
        if not any(q.id == qid for q in query.credentials):
            problems.append(f"the response answers {qid!r}, which was not asked")
            continue
        q = query.by_id(qid)
        if not items:
            problems.append(f"{qid}: no presentation")
        elif len(items) > 1 and not q.multiple:
            problems.append(f"{qid}: {len(items)} presentations where one was asked")
        for item in items:
            if match(q, item) is None:
                problems.append(f"{qid}: the presented credential is not {q.describe()}")
    sets = query.credential_sets or tuple(CredentialSet(((q.id,),)) for q in query.credentials)
    for cset in sets:
        if cset.required and not any(all(i in presented for i in o) for o in cset.options):
            wanted = " or ".join("+".join(o) for o in cset.options)
            problems.append(f"no answer to the required credential set {wanted}")
    return problems
