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
raised afresh each time. The tests keep pyld's own processor as the oracle.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from frozendict import frozendict
from pyld import jsonld

MAX_ENTRIES = 1024

# (active context id, local key, flags...) -> (active context, local context, result)
_processed: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
# id -> object, for the JSON objects and arrays inside bundled context documents.
_owned: dict[int, Any] = {}


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
        return ("json", json.dumps(local, sort_keys=True)), True
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
            if len(_processed) >= MAX_ENTRIES:
                _processed.pop(next(iter(_processed)))
            _processed[key] = (active_ctx, source, result)
        return result
