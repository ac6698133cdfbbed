"""DCQL (OpenID4VP 1.0 sections 6 and 7): reading queries, claims path pointers, matching,
claim_sets, credential_sets, and the verifier's check of an answer. The examples are the
specification's own (section 7.4, and examples/query_lang in openid/OpenID4VP)."""

from __future__ import annotations

from typing import Any

import pytest

from wallet.errors import MalformedInput, NotFound, UnsupportedInput
from wallet.exchange.oid4vp import dcql

ARTHUR = {
    "name": "Arthur Dent",
    "address": {
        "street_address": "42 Market Street",
        "locality": "Milliways",
        "postal_code": "12345",
    },
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
    "nationalities": ["British", "Betelgeusian"],
}
PID = "https://credentials.example.com/identity_credential"


def sd(key: str, claims: dict[str, Any], vct: str = PID, bound: bool = True) -> dcql.Candidate:
    return dcql.Candidate(key, dcql.SD_JWT, claims, vct, bound=bound)


def query(**credential: Any) -> dict[str, Any]:
    base = {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [PID]}}
    return {"credentials": [{**base, **credential}]}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["name"], [("/name", "Arthur Dent")]),
        (["address", "street_address"], [("/address/street_address", "42 Market Street")]),
        (
            ["degrees", None, "type"],
            [("/degrees/0/type", "Bachelor of Science"), ("/degrees/1/type", "Master of Science")],
        ),
        (["nationalities", 1], [("/nationalities/1", "Betelgeusian")]),
        (["nationalities", 5], []),
        (["name", "first"], []),  # a string step into a string: an error, nothing selected
        (["address", None], []),  # null into an object: an error
        (["missing"], []),
    ],
)
def test_claims_path_pointer_examples(path: list[Any], expected: list[tuple[str, Any]]) -> None:
    got = [(dcql.to_pointer(w), v) for w, v in dcql.select(ARTHUR, path)]
    assert got == expected


def test_value_matching_needs_type_and_value() -> None:
    claims = {"age": 1, "adult": True, "code": "1"}
    assert dcql.claim_pointers(claims, dcql.ClaimQuery(("age",), values=(1,))) == ["/age"]
    # True == 1 in Python, but not in DCQL; nor "1" == 1.
    assert dcql.claim_pointers(claims, dcql.ClaimQuery(("adult",), values=(1,))) == []
    assert dcql.claim_pointers(claims, dcql.ClaimQuery(("code",), values=(1,))) == []
    assert dcql.claim_pointers(claims, dcql.ClaimQuery(("adult",), values=(True,))) == ["/adult"]


def test_simple_query_matches_and_selects_only_the_asked_claims() -> None:
    q = dcql.parse_query(query(claims=[{"path": ["name"]}, {"path": ["address", "locality"]}]))
    m = dcql.match(q.credentials[0], sd("a", ARTHUR))
    assert m is not None and m.pointers == ("/name", "/address/locality")
    other_type = sd("b", ARTHUR, vct="https://other.example/pid")
    assert dcql.match(q.credentials[0], other_type) is None
    assert dcql.match(q.credentials[0], sd("c", {"name": "x"})) is None  # a claim is missing


def test_unbound_credentials_do_not_answer_a_query_that_needs_holder_binding() -> None:
    q = dcql.parse_query(query())
    assert dcql.match(q.credentials[0], sd("a", ARTHUR, bound=False)) is None
    assert dcql.match(q.credentials[0], sd("a", ARTHUR)) is not None


def test_claim_sets_take_the_first_option_the_credential_satisfies() -> None:
    body = query(
        claims=[
            {"id": "a", "path": ["family_name"]},
            {"id": "b", "path": ["postal_code"]},
            {"id": "c", "path": ["locality"]},
            {"id": "d", "path": ["region"]},
            {"id": "e", "path": ["date_of_birth"]},
        ],
        claim_sets=[["a", "c", "d", "e"], ["a", "b", "e"]],
    )
    q = dcql.parse_query(body).credentials[0]
    full = {
        "family_name": "D",
        "postal_code": "1",
        "locality": "L",
        "region": "R",
        "date_of_birth": "x",
    }
    m = dcql.match(q, sd("a", full))
    assert m is not None and m.pointers == (
        "/family_name",
        "/locality",
        "/region",
        "/date_of_birth",
    )
    no_region = {k: v for k, v in full.items() if k != "region"}
    m = dcql.match(q, sd("a", no_region))
    assert m is not None and m.pointers == ("/family_name", "/postal_code", "/date_of_birth")
    assert dcql.match(q, sd("a", {"family_name": "D"})) is None


def test_credential_sets_required_and_optional() -> None:
    body = {
        "credentials": [
            {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [PID]}},
            {
                "id": "other_pid",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["https://o.example/pid"]},
            },
            {
                "id": "nice_to_have",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["https://r.example"]},
            },
        ],
        "credential_sets": [
            {"options": [["pid"], ["other_pid"]]},
            {"required": False, "options": [["nice_to_have"]]},
        ],
    }
    q = dcql.parse_query(body)
    only_other = [sd("x", {}, vct="https://o.example/pid")]
    plan = dcql.plan(q, dcql.matches(q, only_other))
    assert list(plan.answers) == ["other_pid"]
    assert plan.unanswered_optional == ["nice_to_have"]
    both = [sd("y", {}), *only_other, sd("z", {}, vct="https://r.example")]
    plan = dcql.plan(q, dcql.matches(q, both))
    assert list(plan.answers) == ["pid", "nice_to_have"]  # the first option, the optional too
    with pytest.raises(NotFound, match="you have no credential that matches"):
        dcql.plan(q, dcql.matches(q, [sd("z", {}, vct="https://r.example")]))


def test_without_credential_sets_every_query_is_required() -> None:
    body = query()
    body["credentials"].append(
        {"id": "second", "format": "ldp_vc", "meta": {"type_values": [["X"]]}}
    )
    q = dcql.parse_query(body)
    with pytest.raises(NotFound):
        dcql.plan(q, dcql.matches(q, [sd("a", {})]))


def test_prefer_picks_among_several_matches() -> None:
    q = dcql.parse_query(query())
    found = dcql.matches(q, [sd("a", {}), sd("b", {})])
    assert dcql.plan(q, found).answers["pid"][0].key == "a"
    assert dcql.plan(q, found, prefer=["b"]).answers["pid"][0].key == "b"


def test_type_values_match_expanded_and_written_types() -> None:
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    types = dcql.expanded_types(doc)
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential" in types
    assert "https://www.w3.org/2018/credentials#VerifiableCredential" in types
    c = dcql.Candidate("k", dcql.LDP_VC, doc, types=types)
    iri = {
        "type_values": [["https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]]
    }
    for meta, ok in (
        (iri, True),
        ({"type_values": [["OpenBadgeCredential"]]}, True),
        ({"type_values": [["AlumniCredential"]]}, False),
    ):
        q = dcql.parse_query({"credentials": [{"id": "q", "format": "ldp_vc", "meta": meta}]})
        assert (dcql.match(q.credentials[0], c) is not None) is ok
    assert dcql.expand_type("OpenBadgeCredential") == iri["type_values"][0][0]
    assert dcql.expand_type("NoSuchType") == "NoSuchType"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"credentials": []}, "credentials must be a non-empty array"),
        ({"credentials": [{"id": "a b", "format": "dc+sd-jwt", "meta": {}}]}, "letters, digits"),
        ({"credentials": [{"id": "a", "format": "dc+sd-jwt"}]}, "needs a meta object"),
        ({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}] * 2}, "share an id"),
        (query(claims=[{"path": []}]), "claim path must be a non-empty array"),
        (query(claims=[{"path": ["a", -1]}]), "only names, indexes and null"),
        (query(claims=[{"path": ["a"], "values": [{"x": 1}]}]), "strings, integers or booleans"),
        (query(claim_sets=[["a"]]), "claim_sets but no claims"),
        (query(claims=[{"id": "a", "path": ["x"]}], claim_sets=[["b"]]), "unknown claim 'b'"),
        ({**query(), "credential_sets": [{"options": [["nope"]]}]}, "unknown credential query"),
        (query(multiple="yes"), "must be booleans"),
    ],
)
def test_malformed_queries_are_refused_in_one_line(body: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedInput, match=message):
        dcql.parse_query(body)


def test_unsupported_formats_and_trusted_authorities_are_said_so() -> None:
    with pytest.raises(UnsupportedInput, match="mso_mdoc"):
        dcql.parse_query({"credentials": [{"id": "m", "format": "mso_mdoc", "meta": {}}]})
    with pytest.raises(UnsupportedInput, match="trusted_authorities"):
        dcql.parse_query(query(trusted_authorities=[{"type": "aki", "values": ["x"]}]))


def test_the_verifier_check_of_an_answer() -> None:
    q = dcql.parse_query(query(claims=[{"path": ["name"]}]))
    good = {"pid": [sd("pid", {"name": "A"})]}
    assert dcql.unmet(q, good) == []
    assert "not a dc+sd-jwt credential" in dcql.unmet(q, {"pid": [sd("pid", {})]})[0]
    assert "which was not asked" in " ".join(dcql.unmet(q, {**good, "extra": []}))
    two = {"pid": [sd("pid", {"name": "A"}), sd("pid", {"name": "B"})]}
    assert "where one was asked" in dcql.unmet(q, two)[0]
    assert "required credential set" in dcql.unmet(q, {})[0]
