from __future__ import annotations

import json

import pytest

from wallet.errors import MalformedInput
from wallet.model import ISSUER_TRUST, CheckStatus, Credential, Issuer
from wallet.verify.context import VerifyContext
from wallet.verify.trust import check_trust, dump_trust_file, load_trust_file

GOOD = {
    "version": 1,
    "name": "Employers I accept",
    "issuers": [
        {"id": "did:web:college.example", "name": "Example College"},
        {"id": "https://badges.example.edu", "name": "Badges"},
        {"id": "did:key:z6Mkabc"},
    ],
}


def _cred(issuer_id: str | None, name: str | None = None, url: str | None = None) -> Credential:
    return Credential(
        format="ob2", raw=b"", title="t", issuer=Issuer(id=issuer_id, name=name, url=url)
    )


def test_load_and_round_trip() -> None:
    trust = load_trust_file(json.dumps(GOOD).encode())
    assert [e.id for e in trust.entries] == [i["id"] for i in GOOD["issuers"]]
    assert trust.entries[0].name == "Example College"
    assert trust.entries[2].name == ""
    again = load_trust_file(json.dumps(dump_trust_file(trust, "x")).encode())
    assert again == trust


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "trust list must be a JSON object"),
        (b'{"version": 2, "issuers": []}', "version 2 is not supported"),
        (b'{"version": true, "issuers": []}', "version True is not supported"),
        (b'{"issuers": []}', "version None is not supported"),
        (b'{"version": 1}', "'issuers' array"),
        (b'{"version": 1, "issuers": {}}', "'issuers' array"),
        (b'{"version": 1, "issuers": [{"name": "x"}]}', "issuer #1 has no id"),
        (b'{"version": 1, "issuers": [{"id": ""}]}', "issuer #1 has no id"),
        (b'{"version": 1, "issuers": ["did:x"]}', "issuer #1 must be a JSON object"),
        (b'{"version": 1, "issuers": [{"id": "http://x"}]}', "neither a DID"),
        (
            b'{"version": 1, "issuers": [{"id": "did:web:x.example", "name": 3}]}',
            "name must be a string",
        ),
        (b'{"version": 1, "name": [], "issuers": []}', "name must be a string"),
        (b'{"version": 1, "version": 1, "issuers": []}', "duplicate"),
    ],
)
def test_bad_trust_files_are_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(MalformedInput, match=message) as info:
        load_trust_file(data)
    assert "\n" not in str(info.value)


def test_check_trust() -> None:
    ctx = VerifyContext(trust=load_trust_file(json.dumps(GOOD).encode()))
    passed = check_trust(_cred("did:web:college.example"), ctx, authenticated=True)
    assert passed.name == ISSUER_TRUST and passed.status is CheckStatus.PASSED
    assert "Example College" in passed.detail
    # An https entry trusts URLs under it (OB 2.0 issuer profiles).
    under = check_trust(_cred("https://badges.example.edu/issuer.json"), ctx, authenticated=True)
    assert under.status is CheckStatus.PASSED
    lookalike = check_trust(
        _cred("https://badges.example.edu.evil.example/i"), ctx, authenticated=True
    )
    assert lookalike.status is CheckStatus.WARNING
    unknown = check_trust(_cred("did:web:other.example", name="Other U"), ctx, authenticated=True)
    assert unknown.status is CheckStatus.WARNING
    assert unknown.detail == "issuer Other U (did:web:other.example) is not in your trust list"
    assert check_trust(_cred(None), ctx, authenticated=True).status is CheckStatus.WARNING


def test_issuer_url_claim_does_not_confer_trust() -> None:
    # Anyone can write a trusted site's URL into their own issuer profile.
    ctx = VerifyContext(trust=load_trust_file(json.dumps(GOOD).encode()))
    check = check_trust(
        _cred("did:key:zAttacker", url="https://badges.example.edu"), ctx, authenticated=True
    )
    assert check.status is CheckStatus.WARNING


def test_trust_check_never_fails() -> None:
    for issuer in (None, "", "did:x", "https://nowhere.example"):
        assert (
            check_trust(_cred(issuer), VerifyContext(), authenticated=True).status
            is CheckStatus.WARNING
        )
