"""Oracle for sdjwt.process after its issue-11 tuning (use() written out, leaf disclosure
values not walked, a shallower join): the process it replaced, kept here verbatim, must
give the same claims, paths and parents, or the same refusal, on random payloads whose
digests point at honest, decoy, duplicated, misplaced and deeply nested disclosures."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.errors import MalformedInput
from wallet.formats import claimpath, sdjwt
from wallet.formats.sdjwt import (
    MAX_NESTING,
    Disclosure,
    DisclosureError,
    Processed,
    SdJwt,
)
from wallet.verify import jws


def _reference_process(sd: SdJwt) -> Processed:
    """sdjwt.process as it was before issue 11 (the oracle)."""
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
                if isinstance(value, dict | list) or depth >= MAX_NESTING:
                    result[key] = walk(value, claimpath.join(path, key), parent, depth + 1)
                else:
                    result[key] = value  # a leaf within the limit: nothing to rebuild

            digests = node.get("_sd", [])
            if not isinstance(digests, list):
                raise DisclosureError("_sd must be an array")
            for digest in digests:
                disclosure = use(digest)
                if disclosure is None:
                    continue
                if disclosure.name is None:
                    raise DisclosureError(
                        "an array-element disclosure is referenced from an object"
                    )
                if disclosure.name in result:
                    raise DisclosureError(
                        f"a disclosure would overwrite the claim {disclosure.name!r}"
                    )
                child = claimpath.join(path, disclosure.name)
                out.paths[disclosure.digest] = child
                out.parents[disclosure.digest] = parent
                result[disclosure.name] = walk(
                    disclosure.value, child, disclosure.digest, depth + 1
                )
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
                elif isinstance(element, dict | list) or depth >= MAX_NESTING:
                    items.append(
                        walk(element, claimpath.join(path, str(len(items))), parent, depth + 1)
                    )
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


def _outcome(fn: Any, sd: SdJwt) -> Any:
    try:
        p = fn(sd)
    except MalformedInput as exc:
        return (type(exc).__name__, str(exc))
    return json.dumps([p.claims, p.paths, p.parents], sort_keys=False)


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))
_names = st.sampled_from(["a", "b", "c~/", "_sd", "...", "x"])


@st.composite
def _sd_jwts(draw: Any) -> SdJwt:
    pool: list[Disclosure] = []

    def disclosure(value: Any, in_array: bool = False) -> str:
        index = len(pool)
        # Mostly the right kind (a name in an object, none in an array), sometimes not.
        misplaced = draw(st.integers(0, 9)) == 9  # hypothesis favours 0
        name = draw(_names) if in_array == misplaced else None
        digest = f"d{index}"
        pool.append(Disclosure(f"t{index}", digest, "salt", name, value))
        return digest

    def node(depth: int) -> Any:
        kind = draw(st.integers(0, 5 if depth < 6 else 0))
        if kind == 0:
            return draw(_leaf)
        if kind in (1, 2):
            out: dict[str, Any] = {k: node(depth + 1) for k in draw(st.lists(_names, max_size=3))}
            digests = [disclosure(node(depth + 1)) for _ in range(draw(st.integers(0, 2)))]
            digests += draw(st.lists(st.sampled_from(["decoy", "decoy2", "d0", 7]), max_size=1))
            if digests or draw(st.booleans()):
                out["_sd"] = digests if draw(st.integers(0, 9)) < 9 else "not-a-list"
            return out
        if kind == 3:
            return [
                {"...": disclosure(node(depth + 1), True)}
                if draw(st.booleans())
                else node(depth + 1)
                for _ in range(draw(st.integers(0, 3)))
            ]
        if kind == 4:  # a chain deeper than the nesting limit
            value: Any = draw(_leaf)
            for _ in range(
                draw(st.sampled_from([1, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 2]))
            ):
                if draw(st.booleans()):
                    value = {"_sd": [disclosure(value)]}
                else:
                    value = [{"...": disclosure(value, True)}]
            return value
        return {"...": "decoy"}

    payload = {"iss": "https://i.test", **{k: node(0) for k in draw(st.lists(_names, max_size=3))}}
    payload["_sd"] = [disclosure(node(1)) for _ in range(draw(st.integers(0, 3)))]
    chosen = list(pool)
    if chosen and draw(st.integers(0, 5)) == 5:
        chosen.append(chosen[draw(st.integers(0, len(chosen) - 1))])  # included twice
    if draw(st.integers(0, 5)) == 5:
        chosen.append(Disclosure("stray", "stray", "s", "z", 1))  # referenced by no digest
    if chosen and draw(st.integers(0, 3)) == 3:
        chosen.pop(draw(st.integers(0, len(chosen) - 1)))  # withheld: its digest is a decoy
    token = jws.CompactJWS("h.p.s", {"alg": "ES256"}, b"{}", b"")
    object.__setattr__(token, "_payload", payload)
    return SdJwt(token, tuple(chosen), None, "sha-256")


@settings(max_examples=600, deadline=None)
@given(_sd_jwts())
def test_process_gives_what_the_process_it_replaced_gave(sd: SdJwt) -> None:
    assert _outcome(sdjwt.process, sd) == _outcome(_reference_process, sd)


def test_an_overwriting_disclosure_is_refused_and_an_honest_one_applied() -> None:
    token = jws.CompactJWS("h.p.s", {}, b"{}", b"")
    object.__setattr__(token, "_payload", {"a": 1, "_sd": ["d0"]})
    attack = SdJwt(token, (Disclosure("t", "d0", "s", "a", 2),), None, "sha-256")
    honest = SdJwt(token, (Disclosure("t", "d0", "s", "b", 2),), None, "sha-256")
    for fn in (sdjwt.process, _reference_process):
        assert _outcome(fn, attack) == (
            "DisclosureError",
            "a disclosure would overwrite the claim 'a'",
        )
        assert fn(honest).claims == {"a": 1, "b": 2}


def _chain(levels: int) -> SdJwt:
    pool: list[Disclosure] = []
    value: Any = "leaf"
    for i in range(levels):
        if i % 2:
            pool.append(Disclosure(f"t{i}", f"d{i}", "s", "k", value))
            value = {"_sd": [f"d{i}"]}
        else:
            pool.append(Disclosure(f"t{i}", f"d{i}", "s", None, value))
            value = [{"...": f"d{i}"}]
    token = jws.CompactJWS("h.p.s", {}, b"{}", b"")
    object.__setattr__(token, "_payload", {"top": value})
    return SdJwt(token, tuple(pool), None, "sha-256")


def test_a_chain_past_the_nesting_limit_is_refused_and_one_within_it_applied() -> None:
    for levels in (MAX_NESTING - 2, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 300):
        assert _outcome(sdjwt.process, _chain(levels)) == _outcome(
            _reference_process, _chain(levels)
        )
    assert isinstance(_outcome(sdjwt.process, _chain(60)), str)  # applied
    refused = _outcome(sdjwt.process, _chain(300))
    assert refused == ("MalformedInput", f"claims are nested deeper than {MAX_NESTING} levels")
