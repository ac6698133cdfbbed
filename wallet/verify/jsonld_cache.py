"""A pyld processor that keeps processed contexts between operations.

pyld caches a processed context per (resolved context, active context ``_uuid``), but
every type-scoped context is processed against a fresh clone of the active context with a
fresh ``_uuid``, and each processed context gets a fresh ``_uuid`` of its own: the cache
never hits. OB 3.0 is made of type-scoped contexts, so about a dozen contexts were
processed from scratch on every expansion (over half of a Data Integrity verification).

``CachingProcessor._process_context`` is a pure function of its inputs once those are
pinned down, so its results are kept here, keyed by:
- the active context, by identity: only pyld's frozen (immutable) contexts, and the entry
  holds a strong reference so the id cannot be reused;
- the local context: a URL (or list of URLs) by value; a JSON object that belongs to a
  bundled context document (which nothing mutates) by identity; any other object by its
  JSON text, and then processed from a private deep copy, so a later change to the
  caller's document cannot reach a cached context;
- the flags and options that change the result (base, processing mode, loader).
Results are pyld's frozen contexts, returned as they are (pyld never mutates them; its
own URL cache shares them the same way). Only successful results are kept, so errors are
raised afresh each time. IRI expansion (outside context processing) and IRI compaction
(without a value) against a frozen context are memoised the same way, per context and
bounded. The tests keep pyld's own processor as the oracle.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from frozendict import frozendict
from pyld import jsonld

from wallet.verify.memo import keep

# Bounds on what untrusted documents can make us keep: a processed context is a few tens
# of KB (its term map), an IRI memo entry a few hundred bytes.
MAX_ENTRIES = 512
MAX_IRI_CONTEXTS = 64
MAX_IRIS = 2048  # per active context

# (active context id, local key, flags...) -> (active context, local context, result)
_processed: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
# id -> object, for the JSON objects and arrays inside bundled context documents.
_owned: dict[int, Any] = {}
# active context id -> (active context, {(value, base, vocab): expanded IRI})
_iris: dict[int, tuple[Any, dict[tuple[Any, ...], Any]]] = {}
_MISSING = object()


def own(document: Any) -> None:
    """Mark every object and array inside ``document`` (a bundled context that nothing
    mutates, kept alive by its loader's cache) as identity-keyable."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            _owned[id(item)] = item
            pending.extend(item.values())
        elif isinstance(item, list):
            _owned[id(item)] = item
            pending.extend(item)


def clear() -> None:
    """Forget every processed context (the loader now serves other documents)."""
    _processed.clear()
    _iris.clear()


def _local_key(local: Any) -> tuple[Any, bool] | None:
    """A hashable key for a local context, and whether it must be copied before pyld
    keeps references into it; None when it cannot be keyed safely."""
    if isinstance(local, str):
        return ("url", local), False
    if local is None or local is False:
        return ("null", local), False
    if _owned.get(id(local)) is local:
        return ("owned", id(local)), False
    if isinstance(local, list) and all(isinstance(c, str) for c in local):
        return ("urls", tuple(local)), False
    try:
        # In its own key order, not sorted: pyld defines the terms in that order, so only
        # the very same text may share a result.
        return ("json", json.dumps(local)), True
    except (TypeError, ValueError):
        return None


class CachingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """JsonLdProcessor whose context processing is memoised across operations."""

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        local = _local_key(local_ctx) if isinstance(active_ctx, frozendict) and not cycles else None
        if local is None:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        key = (
            id(active_ctx),
            local[0],
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
            options.get("documentLoader"),
        )
        hit = _processed.get(key)
        if hit is not None and hit[0] is active_ctx:
            return hit[2]
        source = copy.deepcopy(local_ctx) if local[1] else local_ctx
        result = super()._process_context(
            active_ctx, source, options, override_protected, propagate, validate_scoped, cycles
        )
        if isinstance(result, frozendict):
            keep(_processed, key, (active_ctx, source, result), MAX_ENTRIES)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (no local context), expanding a string against a
        # frozen active context is a pure function of (context, value, base, vocab).
        if local_ctx is not None or defined is not None or not isinstance(value, str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        memo = _memo(active_ctx)
        if memo is None:
            return super()._expand_iri(active_ctx, value, base, vocab)
        key = ("e", value, base, vocab)
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = _keep(memo, key, super()._expand_iri(active_ctx, value, base, vocab))
        return found

    def _compact_iri(
        self,
        active_ctx: Any,
        iri: Any,
        value: Any = None,
        vocab: bool = False,
        base: Any = None,
        reverse: bool = False,
    ) -> Any:
        # Without a value to fit, compacting an IRI against a frozen active context (its
        # inverse context is a function of it) is pure in (context, iri, vocab, base,
        # reverse).
        memo = _memo(active_ctx) if value is None and isinstance(iri, str) else None
        if memo is None:
            return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        key = ("c", iri, vocab, base, reverse)
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = _keep(
                memo, key, super()._compact_iri(active_ctx, iri, None, vocab, base, reverse)
            )
        return found


def _memo(active_ctx: Any) -> dict[tuple[Any, ...], Any] | None:
    """The IRI memo of a frozen active context (None for a context still being built)."""
    entry = _iris.get(id(active_ctx))
    if entry is not None and entry[0] is active_ctx:
        return entry[1]
    if not isinstance(active_ctx, frozendict):
        return None
    iris: dict[tuple[Any, ...], Any] = {}
    keep(_iris, id(active_ctx), (active_ctx, iris), MAX_IRI_CONTEXTS)
    return iris


def _keep(memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> Any:
    if len(memo) >= MAX_IRIS:  # document values (ids, URLs) pass through here too
        memo.clear()
    memo[key] = value
    return value
