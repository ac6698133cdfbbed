"""JSON-LD processing with bundled contexts only: never a network fetch.

Canonicalisation is RDFC-1.0 (pyld's ``URDNA2015``; its default is the older URGNA2012).
pyld keeps resolved contexts in its own LRU cache, we keep the parsed files, and
wallet.verify.jsonld_cache keeps processed (type-scoped) contexts, so a context is read
and processed once per process, not once per verification.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pyld import jsonld

from wallet.errors import MalformedInput, UnsupportedInput
from wallet.verify import jsonld_cache, memo

CONTEXT_FILES: dict[str, str] = {
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "credentials-undefined-terms-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "vc-bitstring-status-list-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "vc-status-list-2021-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context-3.0.0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://w3id.org/dcc/v1": "dcc-v1.json",
    "https://w3id.org/blockcerts/v3": "blockcerts-v3.json",
    "https://w3id.org/blockcerts/v3.1": "blockcerts-v3.1.json",
    "https://w3id.org/blockcerts/v3.2": "blockcerts-v3.2.json",
    "https://w3id.org/security/suites/merkle-2019/v1": "blockcerts-merkle-proof-2019-v1.json",
}


class ContextNotBundled(UnsupportedInput):
    code = "context_not_bundled"

    def __init__(self, url: str) -> None:
        super().__init__(f"context {url} is not bundled; not fetched")
        self.url = url


class UndefinedTerm(MalformedInput):
    code = "undefined_term"


# Extra contexts registered by tests (e.g. a reconstructed W3C examples context).
_extra: dict[str, Any] = {}


def register_context(url: str, document: Any) -> None:
    """Serve ``document`` for ``url`` (for test-only contexts; the app registers none)."""
    _extra[url] = document
    jsonld_cache.own(document)
    _forget_processed()


def unregister_contexts() -> None:
    """Serve only the bundled contexts again (processed copies of the others forgotten)."""
    _extra.clear()
    _forget_processed()


def _forget_processed() -> None:
    jsonld_cache.clear()
    jsonld._resolved_context_cache.clear()
    _memoised.clear()


@functools.cache
def _bundled(name: str) -> Any:
    text = resources.files("wallet.verify.contexts").joinpath(name).read_text("utf-8")
    document = json.loads(text)
    jsonld_cache.own(document)  # kept alive by this cache, never mutated: keyed by identity
    return document


def load_context(url: str) -> Any:
    key = url.split("#", 1)[0]
    if key in _extra:
        return _extra[key]
    name = CONTEXT_FILES.get(key) or CONTEXT_FILES.get(key.rstrip("/"))
    if name is None:
        raise ContextNotBundled(url)
    return _bundled(name)


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    # A tag lets pyld keep the processed context between operations (its shared cache
    # holds only tagged documents): bundled contexts never change, so each is processed
    # once per process instead of on every document and every proof.
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "tag": "static",
    }


def context_urls(document: Any) -> list[str]:
    """Remote context URLs a document names at its top level."""
    ctx = document.get("@context") if isinstance(document, dict) else None
    items = ctx if isinstance(ctx, list) else [ctx]
    return [c for c in items if isinstance(c, str)]


def check_contexts_bundled(document: Any) -> None:
    for url in context_urls(document):
        load_context(url)


def expand_strict(document: dict[str, Any]) -> list[Any]:
    """Expand, refusing any property the contexts do not define (it would go unsigned)."""
    dropped: list[str] = []

    def on_dropped(prop: str | None) -> None:
        dropped.append(str(prop))

    try:
        expanded: list[Any] = jsonld_cache.CachingProcessor(on_property_dropped=on_dropped).expand(
            document, {"documentLoader": document_loader}
        )
    except jsonld.JsonLdError as exc:
        raise _unwrap(exc) from None
    if dropped:
        raise UndefinedTerm(f"undefined term {dropped[0]!r} is not covered by the signature")
    _check_node_types(expanded)
    return expanded


def _check_node_types(expanded: list[Any]) -> None:
    """Refuse a non-string node type, which pyld's expansion lets through ("@type": null
    beside "type") and its RDF conversion then crashes on."""
    pending: list[Any] = [expanded]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            types = item.get("@type")
            if (
                "@value" not in item
                and isinstance(types, list)
                and not all(isinstance(t, str) for t in types)
            ):
                raise MalformedInput("a node's @type must be an IRI string")
            pending.extend(v for k, v in item.items() if k != "@type")


class _AlreadyExpanded(jsonld_cache.CachingProcessor):
    """pyld's normalize, for input expand_strict has just expanded.

    normalize -> to_rdf expands its input again: a no-op on expanded input (expansion is
    idempotent) that cost a quarter of every canonicalisation. Only canonize uses this
    processor, and only with expand_strict's output; the tests keep pyld's own
    normalize of the document as the oracle, on every vector and on generated credentials.
    """

    def expand(self, input_: Any, options: Any) -> Any:
        return input_


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a document (strict: undefined terms are refused)."""
    expanded = expand_strict(document)
    try:
        result: str = _AlreadyExpanded().normalize(
            expanded,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except jsonld.JsonLdError as exc:
        raise _unwrap(exc) from None
    return result


# exact JSON text -> canonical N-Quads (UTF-8), for small documents that repeat.
_memoised: dict[str, bytes] = {}
MAX_MEMOISED = 256
MAX_MEMOISED_TEXT = 16 * 1024  # proof options are small; a huge one is not kept


def canonize_memoised(document: dict[str, Any]) -> bytes:
    """canonize(document) as UTF-8, memoised on the document's exact JSON text (a pure
    function of it and the bundled contexts); only a successful result is kept, so a
    refusal is made afresh each time."""
    try:
        key = json.dumps(document, ensure_ascii=False)  # keys in their order: exact text
    except (TypeError, ValueError):
        return canonize(document).encode("utf-8")
    if len(key) > MAX_MEMOISED_TEXT:
        return canonize(document).encode("utf-8")
    found = _memoised.get(key)
    if found is None:
        found = memo.keep(_memoised, key, canonize(document).encode("utf-8"), MAX_MEMOISED)
    return found


def _unwrap(exc: Exception) -> Exception:
    """pyld wraps our loader's errors; surface the original (context not bundled, say)."""
    seen: Exception | None = exc
    while seen is not None:
        if isinstance(seen, ContextNotBundled | MalformedInput):
            return seen
        cause = getattr(seen, "cause", None) or seen.__cause__
        seen = cause if isinstance(cause, Exception) else None
    return MalformedInput(f"JSON-LD processing failed: {str(exc).splitlines()[0][:200]}")
