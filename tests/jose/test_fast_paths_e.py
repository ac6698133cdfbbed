"""Oracle tests for the SD-JWT presentation fast paths (issue 11): strict JSON's direct
scan against the full reading it skips, the JWS header memo and the joserfc header-rule
memo against a fresh parse and check, and the memoised SD-JWT serialisation against the
join it replaced. Attack and honest control in pairs."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet import jsonguard
from wallet.errors import WalletError
from wallet.formats import sdjwt
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.jws import BadSignature


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except WalletError as exc:
        return type(exc).__name__, str(exc)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=20,
)
_texts = st.one_of(
    _json_values.map(json.dumps),
    _json_values.map(lambda v: json.dumps(v) + " "),
    _json_values.map(lambda v: json.dumps(v) + "x"),
    st.sampled_from(
        [
            '{"a":1,"a":2}',
            '[{"a":1,"b":{"c":1,"c":1}}]',
            "[NaN]",
            '{"x":Infinity}',
            "[" * 70 + "]" * 70,
            "[" * 64 + "]" * 64,
            '{"a":1}{"b":2}',
            "\ufeff[1]",
            '["\\ud800"]',
            "[1,]",
            "",
            "{",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_texts, st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_the_direct_scan_reads_json_as_the_full_path_does(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    ours = _outcome(jsonguard.load_json, data)
    reference = _outcome(jsonguard._load_json, data, jsonguard.MAX_INPUT_BYTES)
    assert ours == reference
    assert json.dumps(ours) == json.dumps(reference)  # 1 and True, 1.0 and 1 told apart


def test_duplicate_keys_are_refused_by_the_direct_scan_and_unique_ones_pass() -> None:
    with pytest.raises(WalletError, match="duplicate JSON key 'cnf'"):
        jsonguard.load_json(b'{"cnf":{"jwk":1},"cnf":{"jwk":2}}')
    assert jsonguard.load_json(b'{"cnf":{"jwk":1},"sub":2}') == {"cnf": {"jwk": 1}, "sub": 2}


def test_a_size_limit_still_holds_on_the_direct_scan() -> None:
    with pytest.raises(WalletError, match="larger than"):
        jsonguard.load_json(b"[1, 2, 3]", limit=4)
    assert jsonguard.load_json(b"[1,2]", limit=5) == [1, 2]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(b'{}')}.{_b64(bytes(64))}"


def test_a_remembered_header_is_a_copy_each_caller_may_change() -> None:
    text = _token({"alg": "ES256", "typ": "dc+sd-jwt"})
    first = jws.parse_compact(text)
    first.header["alg"] = "none"
    again = jws.parse_compact(text)
    assert again.header == {"alg": "ES256", "typ": "dc+sd-jwt"}


@given(st.dictionaries(st.sampled_from(["alg", "typ", "kid", "crit", "zip", "x"]), _json_values))
@settings(max_examples=200, deadline=None)
def test_header_memos_give_the_fresh_answer(header: dict[str, Any]) -> None:
    text = _token(header)
    jws._headers.clear()
    jws._judged.clear()
    fresh = _outcome(lambda: jws.parse_compact(text).header)
    for _ in range(2):  # the second time from the memos
        assert _outcome(lambda: jws.parse_compact(text).header) == fresh
    if fresh[0] != "ok":
        return
    verdicts = []
    for _ in range(2):
        token = jws.parse_compact(text)
        try:
            jws.check_header(token.header)  # as verification runs them: ours first
            jws._jose_rules(token)
            verdicts.append("ok")
        except BadSignature:
            verdicts.append("refused")
    assert verdicts[0] == verdicts[1]


def test_an_unregistered_header_is_refused_every_time_and_a_plain_one_passes() -> None:
    jws._judged.clear()
    bad = jws.parse_compact(_token({"alg": "ES256", "zzz": 1}))
    good = jws.parse_compact(_token({"alg": "ES256", "typ": "kb+jwt"}))
    for _ in range(3):
        with pytest.raises(BadSignature):
            jws._jose_rules(bad)
        jws._jose_rules(good)


def test_a_hand_built_token_is_judged_on_its_own_header() -> None:
    text = _token({"alg": "ES256"})
    honest = jws.parse_compact(text)
    jws._jose_rules(honest)  # now remembered as acceptable
    forged = jws.CompactJWS(honest.text, {"alg": "ES256", "zzz": 1}, b"{}", bytes(64))
    with pytest.raises(BadSignature):
        jws._jose_rules(forged)


def test_a_malleable_segment_is_refused_and_the_canonical_one_passes() -> None:
    text = _token({"alg": "ES256"})
    head, body, sig = text.split(".")
    assert len(sig) % 4 == 2 and sig.endswith("A")
    jws._jose_rules(jws.parse_compact(text))
    with pytest.raises(BadSignature):
        jws._jose_rules(jws.parse_compact(f"{head}.{body}.{sig[:-1]}B"))


def test_the_remembered_serialisation_is_the_join() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    text = present_sd.issue(
        {"a": 1, "b": [1, 2], "c": {"d": 3}}, ["/a", "/b/1", "/c/d"], key, iss="https://i.test"
    )
    sd = sdjwt.split(text)
    expected = "~".join([sd.jwt.text, *(d.text for d in sd.disclosures)]) + "~"
    assert sd.serialize() == expected
    assert sd.serialize() == expected  # from the memo
    assert sd.serialize(sd.disclosures[:1]) == f"{sd.jwt.text}~{sd.disclosures[0].text}~"
