"""More of the client against the reference issuer: refresh of an empty wallet and of
trusted issuers' keys, an offer from a plain-http issuer on loopback, an offer of three
configurations at once, a credential bound to someone else's key, and a bad
WALLET_NET_TIMEOUT."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.exchange.conftest import RunFn
from tests.exchange.test_import import cached, imported_one, listed
from tests.issuer.flow import HolderKey
from tests.issuer.server_fixture import RunningIssuer
from wallet.exchange import oid4vci
from wallet.present.service import Signer


def test_refresh_of_an_empty_wallet(wallet: RunFn) -> None:
    result = wallet("--json", "refresh")
    assert result.exit_code == 0
    assert result.json == {
        "credentials": 0,
        "fetched": [],
        "changed": [],
        "failed": [],
        "status_lists": [],
        "verdicts": [],
    }
    text = wallet("refresh")
    assert text.stdout == "Fetched 0 documents for 0 credentials; 0 changed.\nNo verdict changed.\n"


def test_refresh_fetches_the_keys_of_trusted_issuers(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    for issuer in (issuer_server.did, issuer_server.base_url, issuer_server.url("/ob2/issuer")):
        assert wallet("trust", "add", issuer).exit_code == 0
    result = wallet("--json", "refresh")
    # The OB 2.0 issuer publishes no SD-JWT VC metadata (404): nothing failed for that.
    assert result.exit_code == 0, result.stdout
    assert result.json["fetched"] == [
        issuer_server.url("/.well-known/did.json"),
        issuer_server.url("/.well-known/jwt-vc-issuer"),
    ]
    assert result.json["failed"] == []
    assert set(cached(wallet)) == set(result.json["fetched"])


def test_refresh_says_when_a_trusted_issuer_cannot_be_reached(wallet: RunFn) -> None:
    assert wallet("trust", "add", "did:web:localhost%3A9").exit_code == 0  # nobody listens
    result = wallet("--json", "refresh")
    assert result.exit_code == 6
    [failed] = result.json["failed"]
    assert failed["url"] == "https://localhost:9/.well-known/did.json"
    assert failed["reason"].startswith("could not connect")


def test_an_offer_from_a_plain_http_issuer_on_loopback(
    wallet: RunFn, http_server: RunningIssuer
) -> None:
    assert http_server.base_url.startswith("http://")
    uri, _ = http_server.offer("programme_sd_jwt")
    # The transport is allowed (http to this machine), but an issuer that is an http URL
    # proves no key: the credential comes in, unverifiable, as it would from a file.
    one = imported_one(wallet, uri)
    assert one["format"] == "sd-jwt" and one["verdict"] == "unverifiable"
    [signature] = [c for c in one["checks"] if c["name"] == "signature"]
    assert signature == {
        "name": "signature",
        "status": "not_checked",
        "detail": f"the issuer {http_server.base_url} is neither a DID nor an https URL",
    }
    assert set(cached(wallet)) == {http_server.url("/status/token/1")}


def test_an_offer_of_three_configurations(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    made = issuer_server.issuer.offer(["programme_sd_jwt", "programme_ldp_vc", "programme_jwt_vc"])
    result = wallet("--json", "import", made.uri)
    assert result.exit_code == 0
    assert [r["format"] for r in result.json["results"]] == ["sd-jwt", "vc-jsonld", "vc-jwt"]
    assert result.stderr.endswith("3 imported, 0 already in the wallet, 0 refused\n")
    assert len(listed(wallet)) == 3


@pytest.mark.parametrize(
    ("config", "says"),
    [
        (
            "programme_sd_jwt",
            "not imported: the issuer bound the credential to a key that is not yours",
        ),
        (
            "programme_ldp_vc",
            "not imported: the credential names another holder ({did}), not your key",
        ),
    ],
)
def test_a_credential_bound_to_someone_elses_key_is_refused(
    wallet: RunFn,
    issuer_server: RunningIssuer,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    says: str,
) -> None:
    # As if the issuer bound the credential to another key than the one the wallet proved:
    # the key proof is made with a stranger's key, so that is what the issuer binds.
    stranger = HolderKey.ed25519()
    other = Signer(stranger.private, stranger.did_key, stranger.jwk)
    real = oid4vci.proof_jwt

    def swapped(signer: Signer, *args: Any) -> str:
        return real(other, *args)

    monkeypatch.setattr(oid4vci, "proof_jwt", swapped)
    uri, _ = issuer_server.offer(config)
    result = wallet("--json", "import", uri)
    assert result.exit_code == 1
    [error] = result.json["results"]
    subject = next(r.subject for r in issuer_server.issued() if r.id != "sample")
    assert (error["code"], error["error"]) == ("verification_failed", says.format(did=subject))
    assert listed(wallet) == [] and cached(wallet) == {}

    monkeypatch.setattr(oid4vci, "proof_jwt", real)  # control: the wallet's own key
    uri, _ = issuer_server.offer(config)
    assert imported_one(wallet, uri)["verdict"] == "valid_untrusted_issuer"


def test_a_bad_timeout_setting_is_exit_2(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    url = issuer_server.url(issuer_server.issue("dc+sd-jwt").path)
    result = wallet("--json", "import", url, env={"WALLET_NET_TIMEOUT": "soon"})
    assert result.exit_code == 2
    assert result.json["results"][0]["error"] == (
        "WALLET_NET_TIMEOUT=soon: not a number of seconds above 0 and at most 600"
    )
    assert listed(wallet) == []
    result = wallet("refresh", env={"WALLET_NET_TIMEOUT": "soon"})
    assert result.exit_code == 2
    assert result.stderr == (
        "error: WALLET_NET_TIMEOUT=soon: not a number of seconds above 0 and at most 600\n"
    )


@pytest.mark.parametrize(
    ("path", "exit_code", "says"),
    [
        ("/credentials/nope", 6, "{U} answered HTTP 404"),
        ("/.well-known/did.json", 5, "JSON document is not a credential we know (type: none)"),
        ("/ob2/badges/data-analytics-foundations.png", 5, "no QR code found in {U}"),
    ],
    ids=["404", "a DID document", "a plain badge image"],
)
def test_a_url_that_holds_no_credential(
    wallet: RunFn, issuer_server: RunningIssuer, path: str, exit_code: int, says: str
) -> None:
    url = issuer_server.url(path)
    result = wallet("--json", "import", url)
    assert result.exit_code == exit_code
    assert result.json["results"][0]["error"] == says.format(U=url)
    assert result.stderr == (
        f"0 imported, 0 already in the wallet, 1 refused: {url} ({says.format(U=url)})\n"
    )
    assert listed(wallet) == [] and cached(wallet) == {}


def test_the_issuers_tx_code_hint_cannot_drive_the_terminal(
    wallet: RunFn, issuer_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offer's description is the issuer's text, shown in the prompt: escapes are
    # shown, never obeyed. (The offer is a real one, its hint rewritten.)
    uri, code = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert code is not None
    document = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    grant = document["grants"][oid4vci.PRE_AUTHORIZED]
    grant["tx_code"]["description"] = "\x1b[2J\x1b[31mURGENT\x07 type it here"
    tampered = "openid-credential-offer://?credential_offer=" + quote(json.dumps(document))
    monkeypatch.setattr("wallet.cli_network.stdin_is_terminal", lambda: True)
    result = wallet("--json", "import", tampered, input=code + "\n")
    assert result.exit_code == 0
    prompt = result.stderr.splitlines()[0]
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert prompt.startswith("The 6-digit transaction code the issuer sent you (")
    assert "URGENT" in prompt
