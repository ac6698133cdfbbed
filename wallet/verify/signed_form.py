"""The signed form rule: a Data Integrity document must be in the compact form of its own
@context, or what the wallet reads from its JSON keys may differ from what was signed.

An rdfc proof covers the RDF graph, not the JSON: ``validUntil`` under its full IRI,
``{"id": url}`` for a plain IRI, ``@id`` for ``id`` or reordered contexts all canonicalise
to the same N-Quads, so the proof still verifies, while the readers (which look up plain
keys) miss or misread the value. We therefore require ``compact(expand(doc), doc@context)``
(pyld, bundled contexts only) to equal the document, and refuse otherwise.

How the two are compared:
- object key order never matters (JSON objects are unordered);
- array order is compared as written (compaction keeps it; RDF does not order multi-valued
  properties, so a reordered list shows values that were all signed);
- compaction turns a one-element array into its element unless the term is an @set or
  @list container. ``[x]`` and ``x`` are taken as equal only under the keys in
  ``WRAP_OK``, whose readers (wallet.formats.vc_jsonld ``_items``/``_text``, the VP reader)
  treat both alike. Anywhere else, e.g. ``{"id": ["did:..."]}`` (read as no id at all), a
  date, an issuer or a status entry field, the wrapped form is refused;
- ``@included``, ``@reverse``, ``@nest`` and a top-level ``@graph`` are refused outright:
  compaction would keep them, but they move signed statements out of the place readers
  look (e.g. a ``validUntil`` of the credential stated inside ``@included``);
- an embedded ``@context`` (a VC 1.1 proof's, an embedded endorsement's) is dropped
  before the round trip if it equals the document's (the suite already requires that of a
  proof's) and refused otherwise: compaction never writes it back.
Cost: processed contexts are kept (wallet.verify.jsonld_cache); the answer is memoised per
document text, so a re-verification of the same document costs a dict lookup.
jcs suites sign the JSON text itself, so the rule is applied to rdfc proofs only.
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld as pyld

from wallet.errors import MalformedInput
from wallet.verify import jsonld, jsonld_cache, memo

# Keys whose readers handle a one-element list and its element identically.
WRAP_OK = frozenset(
    {
        "type",
        "@type",
        "credentialSubject",
        "verifiableCredential",
        "evidence",
        "endorsement",
        "alignment",
        "tag",
        "resultDescription",
        "result",
        "credentialStatus",
        "proof",
        "name",
        "description",
        "narrative",
        "achievementType",
        "endorsementComment",
        "targetName",
        "targetUrl",
        "targetFramework",
        "targetCode",
        "targetType",
        "targetDescription",
        "genre",
        "audience",
        "humanCode",
        "fieldOfStudy",
        "specialization",
        "value",
        "achievement",
        "credentialSchema",
    }
)
# Keys whose readers take {"id": x} and the IRI x alike (compaction writes the bare IRI).
ID_OBJECT_OK = frozenset(
    {"credentialSubject", "issuer", "holder", "verificationMethod", "image", "achievement"}
)
REFUSED_KEYWORDS = ("@included", "@reverse", "@nest")
_reasons: dict[str, str | None] = {}
_type_cache: dict[str, str | None] = {}
_MAX_CACHE = 64
_MAX_KEY = 256 * 1024  # a larger document is judged afresh each time, never kept


class NotSignedForm(MalformedInput):
    code = "not_signed_form"


def _strip_nested_contexts(value: Any, top: Any, path: str = "") -> Any:
    """``value`` without embedded @context entries equal to the top-level one (a proof's
    in VC 1.1, an embedded endorsement's): re-applying the same context changes nothing,
    and compaction drops them. A different embedded context is refused."""
    if isinstance(value, list):
        return [_strip_nested_contexts(v, top, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "@context" and path:
            if item != top:
                raise NotSignedForm(f"an embedded @context at {path} differs from the document's")
            continue
        out[key] = _strip_nested_contexts(item, top, _join(path, key))
    return out


def compacted(doc: dict[str, Any]) -> dict[str, Any]:
    """compact(expand(doc), doc's @context) with bundled contexts only."""
    context = doc.get("@context")
    options = {"documentLoader": jsonld.document_loader}
    try:
        # The caching processor keeps processed contexts (and with them pyld's inverse
        # contexts, keyed by the processed context's id) between documents.
        # pyld's expand works on its own deep copy of the input; compact would expand the
        # expanded form again (idempotent), so it is told to skip that.
        processor = jsonld_cache.CachingProcessor()
        expanded = processor.expand(doc, options)
        result: dict[str, Any] = processor.compact(
            expanded, {"@context": context}, {**options, "skipExpansion": True}
        )
    except pyld.JsonLdError as exc:
        raise jsonld._unwrap(exc) from None
    return result


def _type_iri(context: Any, term: str) -> str | None:
    key = json.dumps([context, term], sort_keys=True)
    if key not in _type_cache:
        doc = {"@context": context, "@type": term}
        try:
            expanded = jsonld_cache.CachingProcessor().expand(
                doc, {"documentLoader": jsonld.document_loader}
            )
            _type_cache[key] = str(expanded[0]["@type"][0]) if expanded else None
        except (pyld.JsonLdError, KeyError, IndexError):
            _type_cache[key] = None
    return _type_cache[key]


def first_difference(
    doc: Any, compact: Any, path: str = "", context: Any = None, key: str = ""
) -> str | None:
    """The key path where ``doc`` departs from its compact form, or None."""
    if key in ("type", "@type") and isinstance(doc, str) and isinstance(compact, str):
        # Two terms may name one class (OB 3.0 "Criteria" and "criteria"); compaction picks
        # one, the issuer may have written the other; readers only look for known classes.
        if doc == compact or (_type_iri(context, doc) or doc) == _type_iri(context, compact):
            return None
        # Readers look only at top-level and status entry types; a nested class name is
        # shown nowhere, and scoped contexts make its compacted spelling unreliable.
        if path.count(".") > 1 or (not path.startswith(("type", "credentialStatus"))):
            return None
        return path
    if isinstance(doc, dict) and isinstance(compact, dict):
        for name in doc:
            if name in REFUSED_KEYWORDS or (name == "@graph" and not path):
                return _join(path, name)
        if set(doc) != set(compact):
            extra = sorted(set(doc) ^ set(compact))
            return _join(path, extra[0])
        for name in sorted(doc):
            if name == "@context":
                continue  # compacted with the document's own @context, by construction
            found = _compare_value(doc[name], compact[name], _join(path, name), name, context)
            if found:
                return found
        return None
    if isinstance(doc, list) and isinstance(compact, list):
        if len(doc) != len(compact):
            return path or "(top)"
        for i, (a, b) in enumerate(zip(doc, compact, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]", context, key)
            if found:
                return found
        return None
    if type(doc) is not type(compact) or doc != compact:
        return path or "(top)"
    return None


def _compare_value(value: Any, compact: Any, path: str, key: str, context: Any) -> str | None:
    if (
        key in ID_OBJECT_OK
        and isinstance(value, dict)
        and set(value) == {"id"}
        and isinstance(compact, str)
    ):
        return None if value["id"] == compact else path
    if isinstance(value, list) != isinstance(compact, list):
        wrapped, bare = (value, compact) if isinstance(value, list) else (compact, value)
        # The compact form is the list: an @set term the issuer wrote as one bare value,
        # which is how every reader reads it.
        if len(wrapped) == 1 and (key in WRAP_OK or isinstance(compact, list)):
            return first_difference(wrapped[0], bare, path, context, key)
        return path
    return first_difference(value, compact, path, context, key)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check(doc: dict[str, Any]) -> str | None:
    """None when ``doc`` is in its signed form, else a one-line reason for the refusal."""
    if "@context" not in doc:
        return None
    # The credentials inside a VP are each verified as documents of their own, under this
    # same rule; only the VP's own statements (holder, proof options) are compared here.
    # (pyld also compacts an @graph container's contents with type-scoped terms lost.)
    own = {k: v for k, v in doc.items() if k != "verifiableCredential"}
    # The answer is a pure function of this JSON text (and the bundled contexts): a
    # document verified again costs its serialisation and a lookup. Errors are not kept.
    # Keys in their own order, not sorted: the reason names the first refused keyword in
    # document order, so two orders of one document can be refused in different words.
    key = json.dumps(own, ensure_ascii=False)
    if key in _reasons:
        return _reasons[key]
    reason = reason_of(own)
    if len(key) > _MAX_KEY:
        return reason
    return memo.keep(_reasons, key, reason, _MAX_CACHE)


def reason_of(own: dict[str, Any]) -> str | None:
    """check() without the memo: the round trip and the comparison, made every time."""
    context = own["@context"]
    try:
        plain = _strip_nested_contexts(own, context)
    except NotSignedForm as exc:
        return exc.message
    where = first_difference(plain, compacted(plain), "", context)
    if where is None:
        return None
    return (
        f"the document is not in the compact form of its own @context at {where}:"
        " a rewritten document hides what was signed"
    )
