"""Bad answers from the reference issuer on 127.0.0.1, each through `wallet import`: one
clear line, the documented exit code (6 network, 1 refused by verification, 5 unsupported,
2 the learner's own input), and nothing stored: the credential list and the document cache
are as they were. Each attack is followed by its honest control, the same import with the
misbehaviour cleared, which succeeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.exchange.conftest import RunFn
from tests.exchange.test_import import cached, imported_one, listed
from tests.issuer.server_fixture import RunningIssuer

FAST = {"WALLET_NET_TIMEOUT": "0.5"}  # the slow issuer waits 2 s; the default is 15 s
TEXT = "1 refused: "


@dataclass(frozen=True)
class Attack:
    id: str
    source: str  # "url:KIND" (a credential the issuer serves) or "offer:CONFIGURATION"
    settings: dict[str, Any]
    exit_code: int
    code: str  # the result's error code in --json
    # The message, with {B} the issuer's base URL, {P} the credential's path, {D} its DID,
    # {H} the plain-http server's base URL; "..." stands for any text.
    error: str
    to_http: bool = field(default=False)


ATTACKS = [
    Attack(
        "slow status list",
        "url:ldp_vc",
        {"slow": 2.0, "target": "/status"},
        6,
        "network",
        "not imported: could not fetch {B}/status/bitstring/1: timed out waiting for the answer",
    ),
    Attack(
        "slow token endpoint",
        "offer:programme_sd_jwt",
        {"slow": 2.0, "target": "/token"},
        6,
        "network",
        "POST {B}/token: timed out waiting for the answer",
    ),
    Attack(
        "huge DID document",
        "url:ldp_vc",
        {"huge": 5_000_000, "target": "/.well-known/did.json"},
        6,
        "network",
        "not imported: could not fetch {B}/.well-known/did.json: the answer is larger than"
        " 4,000,000 bytes; refused",
    ),
    Attack(
        "huge credential by URL",
        "url:dc+sd-jwt",
        {"huge": 5_000_000, "target": "/credentials"},
        6,
        "network",
        "{B}{P}: the answer is larger than 4,000,000 bytes; refused",
    ),
    Attack(
        "huge credential response",
        "offer:programme_ldp_vc",
        {"huge": 5_000_000, "target": "/credential"},
        6,
        "network",
        "{B}/credential: the answer is larger than 4,000,000 bytes; refused",
    ),
    Attack(
        "redirect loop on the credential",
        "url:jwt_vc_json",
        {"redirect_loop": True, "target": "/credentials"},
        6,
        "network",
        "GET {B}{P}: redirect loop (back to {B}{P})",
    ),
    Attack(
        "redirect loop on the metadata",
        "offer:programme_sd_jwt",
        {"redirect_loop": True, "target": "/.well-known/openid-credential-issuer"},
        6,
        "network",
        "GET {B}/.well-known/openid-credential-issuer: redirect loop (back to"
        " {B}/.well-known/openid-credential-issuer)",
    ),
    Attack(
        "redirect to http for the credential",
        "url:ldp_vc",
        {"target": "/credentials"},
        6,
        "network",
        "{B}{P}: refused a redirect from https to {H}{P}",
        to_http=True,
    ),
    Attack(
        "redirect to http for the token",
        "offer:programme_jwt_vc",
        {"target": "/token"},
        6,
        "network",
        "{B}/token: refused a redirect from https to {H}/token",
        to_http=True,
    ),
    Attack(
        "metadata not JSON",
        "offer:programme_sd_jwt",
        {"malformed_metadata": "not_json"},
        6,
        "network",
        "issuer metadata at {B}/.well-known/openid-credential-issuer is not JSON",
    ),
    Attack(
        "metadata of the wrong shape",
        "offer:programme_sd_jwt",
        {"malformed_metadata": "wrong_shape"},
        6,
        "network",
        "the issuer metadata has no credential_endpoint",
    ),
    Attack(
        "metadata of another issuer",
        "offer:programme_sd_jwt",
        {"malformed_metadata": "wrong_issuer"},
        6,
        "network",
        "the issuer metadata at {B}/.well-known/openid-credential-issuer is for"
        " https://issuer.invalid, not {B}",
    ),
    Attack(
        "token endpoint error",
        "offer:programme_ldp_vc",
        {"token_error": True},
        6,
        "network",
        "the token endpoint at {B}/token answered HTTP 500: server_error",
    ),
    Attack(
        "missing c_nonce",
        "offer:programme_sd_jwt",
        {"c_nonce": "missing"},
        6,
        "network",
        "the issuer's nonce endpoint gave no c_nonce",
    ),
    Attack(
        "wrong c_nonce (refused twice)",
        "offer:programme_jwt_vc",
        {"c_nonce": "wrong"},
        6,
        "network",
        "the credential endpoint at {B}/credential answered HTTP 400: invalid_nonce (the c_nonce"
        " is unknown, used or expired)",
    ),
    Attack(
        "bad signature, OB 3.0 offer",
        "offer:programme_ldp_vc",
        {"bad_signature": True},
        1,
        "verification_failed",
        "not imported: signature: eddsa-rdfc-2022: the signature does not match the document"
        " (tampered or wrong key)",
    ),
    Attack(
        "bad signature, SD-JWT offer",
        "offer:programme_sd_jwt",
        {"bad_signature": True},
        1,
        "verification_failed",
        "not imported: signature: the signature does not match (tampered or wrong key)",
    ),
    Attack(
        "bad signature, VC-JWT by URL",
        "url:jwt_vc_json",
        {"bad_signature": True},
        1,
        "verification_failed",
        "not imported: signature: the signature does not match (tampered or wrong key)",
    ),
    Attack(
        "unsupported configuration",
        "offer:programme_sd_jwt",
        {"offer_config": "programme_mdoc"},
        5,
        "unsupported",
        "the offer is for a mso_mdoc credential (programme_mdoc), which this wallet does not"
        " hold; it takes dc+sd-jwt, jwt_vc_json, jwt_vc_json-ld, ldp_vc, vc+sd-jwt",
    ),
    Attack(
        "DID document without the key, OB 3.0 by URL",
        "url:ldp_vc",
        {"did_document_without_key": True},
        1,
        "verification_failed",
        "not imported: signature: eddsa-rdfc-2022: {D}#key-1 is not a verification method of {D}",
    ),
    Attack(
        "DID document without the key, VC-JWT offer",
        "offer:programme_jwt_vc",
        {"did_document_without_key": True},
        1,
        "verification_failed",
        "not imported: signature: {D}#key-2 is not a verification method of {D}",
    ),
    Attack(
        "status list not a credential, Bitstring",
        "url:ldp_vc",
        {"status_list": "not_a_credential"},
        6,
        "network",
        "not imported: could not fetch {B}/status/bitstring/1: the answer is none of the"
        " documents verification reads (a DID document, key set, issuer metadata, status list"
        " or Open Badges document)",
    ),
    Attack(
        "status list not a credential, Token Status List",
        "offer:programme_sd_jwt",
        {"status_list": "not_a_credential"},
        6,
        "network",
        "not imported: could not fetch {B}/status/token/1: the answer is none of the documents"
        " verification reads (a DID document, key set, issuer metadata, status list or Open"
        " Badges document)",
    ),
    Attack(
        "status list signed by another key, Bitstring",
        "offer:programme_ldp_vc",
        {"status_list": "foreign_key"},
        1,
        "verification_failed",
        "not imported: status: status list signature invalid: eddsa-rdfc-2022: the signature"
        " does not match the document (tampered or wrong key)",
    ),
    Attack(
        "status list signed by another key, Token Status List",
        "url:dc+sd-jwt",
        {"status_list": "foreign_key"},
        1,
        "verification_failed",
        "not imported: status: status list signature invalid: the signature does not match"
        " (tampered or wrong key)",
    ),
]


def _source(server: RunningIssuer, source: str) -> tuple[str, str, str]:
    """(what to import, its label in the summary line, the credential's path or "")."""
    how, _, what = source.partition(":")
    if how == "url":
        path = server.issue(what).path
        return server.url(path), server.url(path), path
    uri, _code = server.offer(what)
    return uri, f"credential offer from {server.base_url}", ""


@pytest.fixture
def stocked(wallet: RunFn, issuer_server: RunningIssuer) -> RunFn:
    """A wallet already holding one credential (and its documents) from the issuer."""
    imported_one(wallet, issuer_server.url("/ob2/assertions/sample"))
    return wallet


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_refused_with_one_line_and_nothing_stored(
    stocked: RunFn, issuer_server: RunningIssuer, http_server: RunningIssuer, attack: Attack
) -> None:
    before = (listed(stocked), cached(stocked))
    for name, value in attack.settings.items():
        setattr(issuer_server.misbehaviour, name, value)
    if attack.to_http:
        issuer_server.misbehaviour.redirect_to_http = http_server.base_url
    source, label, path = _source(issuer_server, attack.source)

    result = stocked("--json", "import", source, env=FAST)

    expected = attack.error.format(
        B=issuer_server.base_url, P=path, D=issuer_server.did, H=http_server.base_url
    )
    assert result.exit_code == attack.exit_code
    [error] = result.json["results"]
    assert (error["error"], error["code"]) == (expected, attack.code)
    assert (
        result.stderr == f"0 imported, 0 already in the wallet, 1 refused: {label} ({expected})\n"
    )
    assert (listed(stocked), cached(stocked)) == before

    # Control: the same import from the same issuer, behaving.
    issuer_server.misbehaviour.reset()
    source, _, _ = _source(issuer_server, attack.source)
    one = imported_one(stocked, source)
    assert one["verdict"] == "valid_untrusted_issuer"
    assert len(listed(stocked)) == 2


# -- bad answers at refresh -----------------------------------------------------------------

REFRESH_ATTACKS = [
    (
        {"status_list": "foreign_key"},
        ["/status/bitstring/1"],
        "not kept: the status list is not signed by its issuer",
    ),
    (
        {"status_list": "not_a_credential"},
        ["/status/bitstring/1"],
        "the answer is none of the documents verification reads (a DID document, key set,"
        " issuer metadata, status list or Open Badges document)",
    ),
    (
        {"huge": 5_000_000, "target": "/status"},
        ["/status/bitstring/1"],
        "the answer is larger than 4,000,000 bytes; refused",
    ),
    (
        {"slow": 2.0, "target": "/status"},
        ["/status/bitstring/1"],
        "timed out waiting for the answer",
    ),
    (
        {"redirect_loop": True},
        ["/.well-known/did.json", "/partner/did.json", "/status/bitstring/1"],
        "redirect loop (back to {U})",
    ),
]


@pytest.mark.parametrize(
    ("settings", "failed", "reason"),
    REFRESH_ATTACKS,
    ids=["foreign key list", "list not a credential", "huge list", "slow list", "loop"],
)
def test_refresh_keeps_what_it_had_when_the_issuer_misbehaves(
    wallet: RunFn,
    issuer_server: RunningIssuer,
    settings: dict[str, Any],
    failed: list[str],
    reason: str,
) -> None:
    one = imported_one(wallet, issuer_server.url(issuer_server.issue("ldp_vc").path))
    before = cached(wallet)
    for name, value in settings.items():
        setattr(issuer_server.misbehaviour, name, value)

    result = wallet("--json", "refresh", env=FAST)

    assert result.exit_code == 6
    report = result.json
    assert report["failed"] == [
        {"url": issuer_server.url(p), "reason": reason.format(U=issuer_server.url(p))}
        for p in failed
    ]
    assert report["verdicts"] == [] and report["changed"] == []
    after = cached(wallet)
    # The lists and keys that failed are the ones kept from the import.
    assert {issuer_server.url(p): before[issuer_server.url(p)] for p in failed} == {
        issuer_server.url(p): after[issuer_server.url(p)] for p in failed
    }
    assert [c["verdict"] for c in listed(wallet)] == ["valid_untrusted_issuer"]

    # Control: the issuer behaving again, refresh takes the new list.
    issuer_server.misbehaviour.reset()
    again = wallet("--json", "refresh")
    assert again.exit_code == 0 and again.json["failed"] == []
    list_url = issuer_server.url("/status/bitstring/1")
    assert cached(wallet)[list_url] > before[list_url]
    assert wallet("--json", "verify", one["id"]).json["verdict"] == "valid_untrusted_issuer"


def test_refresh_keeps_the_token_status_list_when_a_forged_one_is_served(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    one = imported_one(wallet, issuer_server.url(issuer_server.issue("dc+sd-jwt").path))
    list_url = issuer_server.url("/status/token/1")
    kept = cached(wallet)[list_url]
    issuer_server.misbehaviour.status_list = "foreign_key"
    result = wallet("--json", "refresh")
    assert result.exit_code == 6
    assert result.json["failed"] == [
        {"url": list_url, "reason": "not kept: the status list is not signed by its issuer"}
    ]
    assert cached(wallet)[list_url] == kept and result.json["verdicts"] == []
    assert wallet("--json", "verify", one["id"]).json["verdict"] == "valid_untrusted_issuer"


def test_refresh_of_a_did_document_that_dropped_the_key_makes_it_invalid(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    # did:web: the DID document is whatever the issuer's host serves. A key it no longer
    # lists signs nothing any more, so the credential is invalid from then on.
    one = imported_one(wallet, issuer_server.url(issuer_server.issue("jwt_vc_json").path))
    issuer_server.misbehaviour.did_document_without_key = True
    result = wallet("--json", "refresh")
    assert result.exit_code == 0
    # The Bitstring list is signed afresh on every request: it changes when a second ticks.
    changed = set(result.json["changed"])
    assert issuer_server.url("/.well-known/did.json") in changed
    assert changed <= {
        issuer_server.url(p) for p in ("/.well-known/did.json", "/status/bitstring/1")
    }
    assert result.json["verdicts"] == [
        {
            "id": one["id"],
            "title": one["title"],
            "before": "valid_untrusted_issuer",
            "after": "invalid",
        }
    ]
    [check] = [
        c for c in wallet("--json", "verify", one["id"]).json["checks"] if c["name"] == "signature"
    ]
    assert check["status"] == "failed"
    assert (
        check["detail"]
        == f"{issuer_server.did}#key-2 is not a verification method of {issuer_server.did}"
    )
