"""Transaction codes and the offer link itself: a code the issuer refuses or of the wrong
shape is the learner's input (exit 2, nothing stored, the offer still usable); an offer
link that is broken is exit 5 before anything is fetched."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.exchange.conftest import RunFn
from tests.exchange.test_import import cached, imported_one, listed
from tests.issuer.server_fixture import RunningIssuer
from wallet.errors import UnsupportedInput, UsageError
from wallet.exchange import oid4vci
from wallet.exchange.txcode import TxCode


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _refused(run: RunFn, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = run("--json", "import", *args, input=input)
    [error] = result.json["results"]
    # The summary line is the last on stderr (a prompt, if any, comes before it).
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("0 imported, 0 already in the wallet, 1 refused: ")
    assert summary.endswith(f" ({error['error']})")
    assert result.stderr.count("\n") == (1 if input is None else 2)
    return result.exit_code, error["code"], error["error"]


def test_a_tx_code_the_issuer_refuses(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    uri, code = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert code is not None
    assert _refused(wallet, uri, "--tx-code", _wrong(code)) == (
        2,
        "tx_code_refused",
        "the issuer did not accept the offer with this transaction code (wrong tx_code (4 tries"
        " left));"
        " nothing was imported",
    )
    assert listed(wallet) == [] and cached(wallet) == {}
    # Control: the same offer with the right code (the issuer allows a few tries).
    assert imported_one(wallet, uri, "--tx-code", code)["format"] == "sd-jwt"
    # Used up, the issuer's own words say so.
    assert _refused(wallet, uri, "--tx-code", code) == (
        2,
        "tx_code_refused",
        "the issuer did not accept the offer with this transaction code (the pre-authorized"
        " code is unknown or used); nothing was imported",
    )


def test_a_wrong_tx_code_typed_at_the_prompt(
    wallet: RunFn, issuer_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wallet.cli_network.stdin_is_terminal", lambda: True)
    uri, code = issuer_server.offer("programme_ldp_vc", tx_code=True)
    assert code is not None
    exit_code, error_code, _ = _refused(wallet, uri, input=_wrong(code) + "\n")
    assert (exit_code, error_code) == (2, "tx_code_refused")
    assert listed(wallet) == []
    assert imported_one(wallet, uri, input=code + "\n")["format"] == "vc-jsonld"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12345", "the transaction code has 6 characters, not 5; nothing was sent"),
        ("1234567", "the transaction code has 6 characters, not 7; nothing was sent"),
        ("12345a", "the transaction code is digits only (0-9); nothing was sent"),
        ("１２３４５６", "the transaction code is digits only (0-9); nothing was sent"),
        ("²²²²²²", "the transaction code is digits only (0-9); nothing was sent"),
    ],
)
def test_a_tx_code_of_the_wrong_shape_is_not_sent(
    wallet: RunFn, issuer_server: RunningIssuer, typed: str, says: str
) -> None:
    uri, code = issuer_server.offer("programme_jwt_vc", tx_code=True)
    assert code is not None
    assert _refused(wallet, uri, "--tx-code", typed) == (2, "usage", says)
    assert listed(wallet) == [] and cached(wallet) == {}
    # Not sent: the issuer still counts every try left.
    assert _refused(wallet, uri, "--tx-code", _wrong(code))[2].endswith(
        "(wrong tx_code (4 tries left)); nothing was imported"
    )


def test_the_tx_code_rules() -> None:
    numeric = TxCode(6, "numeric", "sent by e-mail")
    assert numeric.question() == "The 6-digit transaction code the issuer sent you (sent by e-mail)"
    assert TxCode(None, "text", None).question() == (
        "The character transaction code the issuer sent you"
    )
    numeric.check("012345")
    TxCode(None, "text", None).check("any thing")
    with pytest.raises(UsageError):
        TxCode(4, "text", None).check("abc")
    with pytest.raises(UsageError):
        numeric.check("٠١٢٣٤٥")  # Arabic-Indic digits: isdigit, but no issuer's code


def _offer(document: object) -> str:
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(document))


GRANT = {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "x"}}
GOOD = {
    "credential_issuer": "https://localhost:1",
    "credential_configuration_ids": ["programme_sd_jwt"],
    "grants": GRANT,
}


@pytest.mark.parametrize(
    ("link", "exit_code", "says"),
    [
        (
            "openid-credential-offer://?nothing=here",
            5,
            "a credential offer carries exactly one of credential_offer and credential_offer_uri",
        ),
        (
            "openid-credential-offer://?credential_offer=%7Bnope",
            5,
            "the credential offer is not JSON",
        ),
        (_offer([1, 2]), 5, "the credential offer is not a JSON object"),
        (
            _offer({**GOOD, "credential_issuer": None}),
            5,
            "the credential offer names no credential_issuer",
        ),
        (
            _offer({**GOOD, "credential_configuration_ids": []}),
            5,
            "the credential offer lists no credential_configuration_ids",
        ),
        (
            _offer({**GOOD, "grants": {"authorization_code": {}}}),
            5,
            "the offer has no pre-authorized code; the authorization code flow (signing in at"
            " the issuer) is not supported yet",
        ),
        (
            _offer({**GOOD, "credential_issuer": "http://college.example"}),
            6,
            "refused: http://college.example is plain http; only https is fetched",
        ),
        (
            "openid-credential-offer://?credential_offer_uri=" + quote("http://college.example/o"),
            6,
            "refused: http://college.example/o is plain http; only https is fetched",
        ),
        (
            _offer(
                {**GOOD, "grants": {k: {**v, "tx_code": {"length": 0}} for k, v in GRANT.items()}}
            ),
            5,
            "the offer's tx_code length is not a small positive number",
        ),
        (
            "openid-credential-offer://?credential_offer=" + "x" * 16_001,
            5,
            "the credential offer is longer than 16000 characters",
        ),
    ],
)
def test_a_broken_offer_link(wallet: RunFn, link: str, exit_code: int, says: str) -> None:
    code, _, error = _refused(wallet, link)
    assert (code, error) == (exit_code, says)
    assert listed(wallet) == []


def test_an_offer_by_reference_that_is_gone(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    link = "openid-credential-offer://?credential_offer_uri=" + quote(
        issuer_server.url("/offers/no-such-offer")
    )
    assert _refused(wallet, link) == (
        6,
        "network",
        f"the credential offer at {issuer_server.url('/offers/no-such-offer')} answered HTTP 404:"
        " not_found (no such offer, or it was used or has expired)",
    )


def test_an_offer_used_twice(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    uri, _ = issuer_server.offer("programme_sd_jwt")
    imported_one(wallet, uri)
    exit_code, error_code, error = _refused(wallet, uri)
    assert (exit_code, error_code) == (6, "network")
    assert error == (
        f"the token endpoint at {issuer_server.url('/token')} answered HTTP 400: invalid_grant"
        " (the pre-authorized code is unknown or used)"
    )
    assert len(listed(wallet)) == 1


@pytest.mark.parametrize(
    ("methods", "refused"),
    [
        ((), False),
        (("jwk",), False),
        (("did:key", "did:jwk"), False),
        (("did:key:jwk_jcs-pub",), False),
        (("did:jwk",), True),
        (("cose_key",), True),
    ],
)
def test_key_binding_methods_the_wallet_can_prove(methods: tuple[str, ...], refused: bool) -> None:
    config = oid4vci.Configuration("programme_x", "dc+sd-jwt", ("ES256",), methods)
    if not refused:
        oid4vci._check_binding(config)
        return
    with pytest.raises(UnsupportedInput) as caught:
        oid4vci._check_binding(config)
    assert caught.value.message == (
        f"the issuer binds programme_x credentials to {', '.join(methods)}; this wallet proves"
        " its keys as a JWK or did:key"
    )
