"""Oracle tests for the SD-JWT mapping shortcuts (issue 11): a credential without any
content claim skips the content mapping, and must get exactly what the mapping gives; the
issuer comparison reads iss/issuer directly, as issuer_of on a one-claim object did."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.formats import sdjwt

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(
        st.one_of(st.text(max_size=3), st.dictionaries(st.text(max_size=4), st.text())), max_size=3
    ),
    st.dictionaries(st.sampled_from(["id", "name", "value", "grade", "x"]), st.text(max_size=3)),
)
_names = st.sampled_from([*sorted(sdjwt._CONTENT_CLAIMS), "claim_0", "vct", "given_name", "x"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_names, _values, max_size=6))
def test_the_content_shortcut_gives_the_full_mapping(claims: dict[str, Any]) -> None:
    ours = sdjwt._content(claims)
    # A grade of None reads as no grade; with it every key counts as content, so the full
    # mapping runs whatever the claims are.
    forced = {"grade": None, **claims}
    kept = sdjwt._CONTENT_CLAIMS
    sdjwt._CONTENT_CLAIMS = frozenset(forced)
    try:
        reference = sdjwt._content(forced)
    finally:
        sdjwt._CONTENT_CLAIMS = kept
    assert ours == reference


def test_a_credential_with_content_is_mapped_and_one_without_is_empty() -> None:
    assert sdjwt._content({"claim_0": "v"}) == sdjwt._NO_CONTENT
    mapped = sdjwt._content({"name": "Forklift", "grade": "A", "credits": "2"})
    assert mapped["achievement"].name == "Forklift" and mapped["credits_earned"] == 2.0
    assert [r.value for r in mapped["results"]] == ["A"]


def _reference_mismatch(payload: dict[str, Any], claims: dict[str, Any]) -> str | None:
    verified = sdjwt.issuer_of(payload)
    shown = {
        sdjwt.issuer_of({"iss": claims.get("iss")}),
        sdjwt.issuer_of({"issuer": claims.get("issuer")}),
    } - {None}
    for name in sorted(x for x in shown if x is not None):
        if verified is None:
            return f"the issuer {name} is only named in a disclosure, not in the signed JWT"
        if name != verified:
            return f"the signed issuer {verified} differs from the issuer {name}"
    return None


_issuers = st.one_of(
    st.none(),
    st.sampled_from(["https://a.test", "https://b.test", "did:key:z1"]),
    st.fixed_dictionaries({"id": st.sampled_from(["https://a.test", "https://b.test"])}),
    st.integers(),
    st.fixed_dictionaries({"id": st.integers()}),
)


@settings(max_examples=400, deadline=None)
@given(_issuers, _issuers, _issuers, _issuers)
def test_the_issuer_comparison_is_the_one_it_replaced(a: Any, b: Any, c: Any, d: Any) -> None:
    payload = {k: v for k, v in (("iss", a), ("issuer", b)) if v is not None}
    claims = {k: v for k, v in (("iss", c), ("issuer", d)) if v is not None}
    assert sdjwt._issuer_mismatch(payload, claims) == _reference_mismatch(payload, claims)


def test_a_disclosed_other_issuer_is_refused_and_the_signed_one_passes() -> None:
    signed = {"iss": "https://a.test"}
    assert sdjwt._issuer_mismatch(signed, {"iss": "https://a.test"}) is None
    assert "differs" in str(sdjwt._issuer_mismatch(signed, {"issuer": {"id": "https://b.test"}}))
