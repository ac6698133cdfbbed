"""Interop with an independent OpenID4VP implementation, both ways, on loopback:
@openid4vc/openid4vp 0.4.6 (with dcql 3.0.0 and @sd-jwt/core 0.19.0) under node.

- it parses and resolves our requests (signed by our did:key, and unsigned redirect_uri:);
- we answer its requests (signed by its did:jwk, and unsigned), and it validates our
  response and verifies our SD-JWT + KB-JWT (aud = its client id, nonce = its nonce);
- it submits a response to our verifier, which judges it valid;
- its DCQL engine and ours pick the same credentials for the specification's examples.

The peer is installed by npm into tests/oid4vp/.js/ on first use (cached after); without
node, npm or the registry these tests skip and say why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.oid4vp import jspeer
from tests.oid4vp.conftest import VCT, Holder
from tests.oid4vp.servers import asking
from wallet.api import RequestSpec, Wallet
from wallet.exchange.oid4vp import answer, dcql

GRADE_QUERY = {
    "credentials": [
        {
            "id": "transcript",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [VCT]},
            "claims": [{"path": ["given_name"]}, {"path": ["grade"]}],
        }
    ]
}


@pytest.fixture(scope="module")
def peer() -> Iterator[None]:
    reason = jspeer.install()
    if reason is not None:
        pytest.skip(f"the JavaScript OpenID4VP peer is not available: {reason}")
    yield


def test_peer_versions(peer: None) -> None:
    assert jspeer.run("versions", {}) == {
        "@openid4vc/openid4vp": "0.4.6",
        "dcql": "3.0.0",
        "@sd-jwt/core": "0.19.0",
    }


@pytest.mark.parametrize("signed", [True, False])
def test_the_library_parses_our_requests(peer: None, employer: Wallet, signed: bool) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("given_name", "grade"), "Check the grade", "Acme")
    with asking(employer, spec, signed=signed) as asked:
        got = jspeer.run("parse-request", {"link": asked.request.link})
    assert "error" not in got, got
    assert got["version"] == 100  # OpenID4VP 1.0 final
    assert got["signed"] is signed
    assert got["client"]["effective"] == asked.request.client_id
    assert got["client"]["prefix"] == ("decentralized_identifier" if signed else "redirect_uri")
    if signed:
        did = asked.request.client_id.removeprefix("decentralized_identifier:")
        assert got["signer"]["didUrl"] == f"{did}#{did[8:]}"
    assert got["payload"]["nonce"] == asked.request.nonce
    assert got["payload"]["response_uri"] == asked.request.response_uri
    assert got["payload"]["dcql_query"] == asked.request.query
    assert got["dcql_valid"] is True


@pytest.mark.parametrize("signed", [True, False])
def test_we_answer_the_librarys_requests_and_it_verifies_us(
    peer: None, holder: Holder, signed: bool
) -> None:
    verifier = jspeer.Verifier({"signed": signed, "dcql_query": GRADE_QUERY, "name": "JS Verifier"})
    try:
        pending = holder.wallet.read_request(verifier.request["link"])
        consent = pending.consent
        assert consent.verified is signed
        assert consent.client_id == verifier.request["client_id"]
        assert consent.name == "JS Verifier"
        holder.wallet.answer_request(pending)
        result = verifier.result()
    finally:
        verifier.stop()
    assert result.get("ok") is True, result
    assert result["type"] == "dcql" and result["state_ok"] and result["dcql_satisfied"]
    checked = result["sd_jwt"]["transcript"]
    assert checked["kb_aud"] == verifier.request["client_id"]
    assert checked["kb_nonce"] == verifier.request["nonce"]
    # Exactly the asked claims were disclosed; the rest it sees was signed in the clear.
    sd = holder.wallet.get(holder.ids["sdjwt"]).credential
    hidden = {p[1:] for p in sd.disclosable if p.count("/") == 1}  # top-level disclosures
    assert {k for k in checked["claims"] if k in hidden} == {"given_name", "grade"}


def test_we_answer_the_librarys_ldp_vc_request(peer: None, holder: Holder) -> None:
    query = {
        "credentials": [
            {
                "id": "badge",
                "format": "ldp_vc",
                "meta": {"type_values": [["OpenBadgeCredential"]]},
                "claims": [{"path": ["credentialSubject", "achievement", "name"]}],
            }
        ]
    }
    verifier = jspeer.Verifier({"signed": True, "dcql_query": query})
    try:
        pending = holder.wallet.read_request(verifier.request["link"])
        assert pending.consent.needs_confirmation  # shared whole
        holder.wallet.answer_request(pending)
        result = verifier.result()
    finally:
        verifier.stop()
    assert result.get("ok") is True, result
    proof = result["ldp_vp"]["proof"]
    assert proof["domain"] == verifier.request["client_id"]
    assert proof["challenge"] == verifier.request["nonce"]
    assert proof["proofPurpose"] == "authentication"


def test_the_library_submits_to_our_verifier(peer: None, holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        pending = holder.wallet.read_request(asked.request.link)
        items = pending.plan["credential"]
        token = answer.vp_token(
            {"credential": [(holder.wallet.get(cid).credential, p) for cid, p in items]},
            holder.wallet.signers(),
            client_id=asked.request.client_id,
            nonce=asked.request.nonce,
        )
        sent = jspeer.run("submit", {"link": asked.request.link, "vp_token": token})
        outcome = asked.outcome()
    assert "error" not in sent, sent
    assert sent["status"] == 200 and sent["client_id"] == asked.request.client_id
    assert outcome is not None and outcome.verdict.value == "valid"


# The specification's credential_sets example (examples/query_lang/credentials_alternatives).
ALTERNATIVES = {
    "credentials": [
        {
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
            "claims": [
                {"path": ["given_name"]},
                {"path": ["family_name"]},
                {"path": ["address", "street_address"]},
            ],
        },
        {
            "id": "other_pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://othercredentials.example/pid"]},
            "claims": [
                {"path": ["given_name"]},
                {"path": ["family_name"]},
                {"path": ["address", "street_address"]},
            ],
        },
        {
            "id": "nice_to_have",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://company.example/company_rewards"]},
            "claims": [{"path": ["rewards_number"]}],
        },
    ],
    "credential_sets": [
        {"options": [["pid"], ["other_pid"]]},
        {"required": False, "options": [["nice_to_have"]]},
    ],
}
CLAIM_SETS = {
    "credentials": [
        {
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
            "claims": [
                {"id": "a", "path": ["family_name"]},
                {"id": "b", "path": ["postal_code"]},
                {"id": "c", "path": ["locality"]},
                {"id": "d", "path": ["region"]},
                {"id": "e", "path": ["date_of_birth"]},
                {"id": "f", "path": ["degrees", None, "type"], "values": ["MSc"]},
            ],
            "claim_sets": [["a", "c", "d", "e"], ["a", "b", "e"], ["f"]],
        },
    ]
}
PID = "https://credentials.example.com/identity_credential"
CREDENTIALS: list[tuple[str, dict[str, Any]]] = [
    (PID, {"given_name": "A", "family_name": "D", "address": {"street_address": "42"}}),
    (PID, {"given_name": "A", "family_name": "D"}),  # no street address
    (
        "https://othercredentials.example/pid",
        {"given_name": "B", "family_name": "E", "address": {"street_address": "7"}},
    ),
    ("https://company.example/company_rewards", {"rewards_number": 12}),
    (PID, {"family_name": "D", "postal_code": "1", "date_of_birth": "x"}),
    (PID, {"degrees": [{"type": "BSc"}, {"type": "MSc"}]}),
    (PID, {"degrees": [{"type": "BSc"}]}),
]


@pytest.mark.parametrize("query", [ALTERNATIVES, CLAIM_SETS], ids=["credential_sets", "claim_sets"])
def test_dcql_matching_agrees_with_the_reference_library(peer: None, query: dict[str, Any]) -> None:
    theirs = jspeer.run(
        "query",
        {
            "dcql_query": query,
            "credentials": [
                {
                    "credential_format": "dc+sd-jwt",
                    "vct": vct,
                    "claims": claims,
                    "cryptographic_holder_binding": True,
                }
                for vct, claims in CREDENTIALS
            ],
        },
    )
    assert "error" not in theirs, theirs
    parsed = dcql.parse_query(json.loads(json.dumps(query)))
    ours = dcql.matches(
        parsed, [dcql.Candidate(str(i), dcql.SD_JWT, c, v) for i, (v, c) in enumerate(CREDENTIALS)]
    )
    assert {qid: [int(m.key) for m in found] for qid, found in ours.items()} == theirs["matches"]
    assert theirs["can_be_satisfied"] is True
