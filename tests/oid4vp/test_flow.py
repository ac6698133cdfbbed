"""OpenID4VP end to end on loopback: `wallet request` serves, `wallet respond` answers, the
verifier reports valid and exactly the claims it asked for. Then each format and client
identifier the wallet supports, the consent it shows, and the example verifier page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from tests.oid4vp.conftest import PASSPHRASE, VCT, Holder
from tests.oid4vp.servers import asking, http_app
from wallet.api import RequestSpec, Wallet, qr_png
from wallet.cli import cli
from wallet.errors import VerificationFailed
from wallet.verifier.app import Sessions, ephemeral_signer, verifier_app
from wallet.verify.context import VerifyContext

OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def respond(wallet_path: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["--wallet", str(wallet_path), "respond", *args],
        env={"WALLET_PASSPHRASE": PASSPHRASE},
        input=input,
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def _wallet_request(employer_path: Path, *options: str) -> subprocess.Popen[str]:
    """``wallet request`` for the VCT in a subprocess (it serves until answered)."""
    argv = [sys.executable, "-m", "wallet", "--wallet", str(employer_path), "request"]
    return subprocess.Popen(
        [*argv, "--type", VCT, "--timeout", "60s", *options],
        env={**os.environ, "WALLET_PASSPHRASE": PASSPHRASE},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_wallet_request_and_wallet_respond_end_to_end(
    holder: Holder, employer: Wallet, tmp_path: Path
) -> None:
    employer_path = tmp_path / "employer"
    employer.close()
    holder.wallet.close()
    verifier = _wallet_request(
        employer_path,
        "--claims",
        "given_name,grade",
        "--purpose",
        "Check the grade",
        "--name",
        "Acme Hiring",
        "--json",
    )
    try:
        assert verifier.stderr is not None
        link = ""
        for line in verifier.stderr:
            if line.startswith("openid4vp://"):
                link = line.strip()
                break
        assert link, "wallet request printed no link"
        code, out, err = respond(holder.path, link, "--yes", "--json")
        assert code == 0, err
        sent = json.loads(out)
        assert sent["sent"] is True
        assert sent["consent"]["verifier"]["verified"] is True
        assert sent["consent"]["purposes"] == ["Check the grade"]
        stdout, _ = verifier.communicate(timeout=60)
    finally:
        verifier.kill()
    assert verifier.returncode == 0, stdout
    verdict = json.loads(stdout)
    assert verdict["verdict"] == "valid"
    assert verdict["query"]["status"] == "passed"
    (item,) = verdict["credentials"]
    assert item["query_id"] == "credential"
    assert item["disclosed"] == ["/given_name", "/grade"]  # exactly what was asked
    # ... and the verifier saw no other selectively disclosable claim.
    withheld = {"family_name", "birthdate", "student_number", "course_code", "credits", "term"}
    assert (item["claims"]["given_name"], item["claims"]["grade"]) == ("Alex", "B+")
    assert not withheld & set(item["claims"]) and item["claims"].get("skills", []) == []
    statuses = {c["name"]: c["status"] for c in item["checks"]}
    assert (
        statuses.items()
        >= dict(
            {
                "signature": "passed",
                "holder_binding": "passed",
                "nonce": "passed",
                "audience": "passed",
            }
        ).items()
    )


def _answer(holder: Holder, link: str) -> Any:
    pending = holder.wallet.read_request(link)
    holder.wallet.answer_request(pending)
    return pending.consent


@pytest.mark.parametrize("signed", [True, False])
def test_sd_jwt_signed_and_unsigned(holder: Holder, employer: Wallet, signed: bool) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("given_name", "/skills/0"), None, "Acme")
    with asking(employer, spec, signed=signed) as asked:
        consent = _answer(holder, asked.request.link)
        outcome = asked.outcome()
    assert consent.verified is signed
    assert consent.client_id.startswith(
        "decentralized_identifier:did:key:" if signed else "redirect_uri:http://127.0.0.1"
    )
    (shared,) = consent.shared
    assert [p for p, _ in shared.disclosed] == ["/given_name", "/skills/0"]
    assert not shared.whole
    assert outcome is not None and outcome.verdict.value == "valid"
    (_, item) = outcome.items[0]
    assert item.disclosed == ["/given_name", "/skills/0"]


def test_ldp_vc_goes_whole_and_says_so(holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("ldp_vc", "OpenBadgeCredential", ("credentialSubject.achievement.name",))
    assert spec.dcql_query()["credentials"][0]["meta"] == {"type_values": [[OB]]}
    with asking(employer, spec) as asked:
        consent = _answer(holder, asked.request.link)
        outcome = asked.outcome()
    assert consent.needs_confirmation
    (shared,) = consent.shared
    assert shared.whole and shared.format == "ldp_vc"
    assert (
        shared.credential_id == holder.ids["ob3"]
    )  # not the expired one: it is another achievement
    assert shared.alternatives == (holder.ids["expired"],)
    assert outcome is not None and outcome.verdict.value == "valid"
    (_, item) = outcome.items[0]
    assert item.format == "vp-ldp" and item.whole


def test_jwt_vc_json_untrusted_issuer_is_not_valid_but_answers_the_query(
    holder: Holder, employer: Wallet
) -> None:
    spec = RequestSpec(
        "jwt_vc_json", "OpenBadgeCredential", ("credentialSubject.achievement.name",)
    )
    with asking(employer, spec) as asked:
        pending = holder.wallet.read_request(asked.request.link)
        with pytest.raises(
            VerificationFailed, match="not accepted: verdict valid_untrusted_issuer"
        ):
            holder.wallet.answer_request(pending)
        outcome = asked.outcome()
    assert outcome is not None
    assert outcome.problems == []
    assert outcome.verdict.value == "valid_untrusted_issuer"  # the bootcamp is not trusted
    assert outcome.items[0][1].format == "vp-jwt"


def test_request_from_a_qr_picture_and_a_dry_run_sends_nothing(
    holder: Holder, employer: Wallet, tmp_path: Path
) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        picture = tmp_path / "request.png"
        picture.write_bytes(qr_png(asked.request.link))
        holder.wallet.close()
        code, out, err = respond(holder.path, str(picture), "--dry-run")
        assert code == 0, err
        assert "Verifier:" in out and "/grade: B+" in out and "signed by did:key:" in out
        asked.cancel.set()
        assert asked.outcome() is None  # nothing was posted


def test_prompt_yes_shares_and_no_declines(
    holder: Holder, employer: Wallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wallet import cli_oid4vp

    monkeypatch.setattr(cli_oid4vp, "stdin_is_terminal", lambda: True)
    holder.wallet.close()
    spec = RequestSpec("ldp_vc", "OpenBadgeCredential")
    with asking(employer, spec) as asked:
        code, _, err = respond(holder.path, asked.request.link, input="n\n")
        assert code == 1
        assert "THE WHOLE CREDENTIAL would be shared" in err
        assert "Share the whole credential(s) above" in err
        outcome = asked.outcome()
    assert outcome is not None and outcome.declined == "access_denied"
    assert outcome.verdict.value == "invalid"
    with asking(employer, spec) as asked:
        code, _, err = respond(holder.path, asked.request.link, input="y\n")
        assert code == 0, err
        outcome = asked.outcome()
    assert outcome is not None and outcome.verdict.value == "valid"


def test_request_uri_method_post_carries_the_wallet_nonce(holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    seen: list[str] = []
    original = Sessions.get

    def spy(self: Sessions, sid: str) -> Any:
        session = original(self, sid)
        if session is not None:
            issue = session.request_object

            def record(wallet_nonce: str | None = None) -> str:
                seen.append(wallet_nonce or "")
                return issue(wallet_nonce)

            session.request_object = record  # type: ignore[method-assign]
        return session

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Sessions, "get", spy)
        with asking(employer, spec) as asked:
            link = asked.request.link + "&request_uri_method=post"
            _answer(holder, link)
            outcome = asked.outcome()
    assert outcome is not None and outcome.verdict.value == "valid"
    assert len(seen) == 1 and len(seen[0]) >= 16


def test_the_example_verifier_page_for_the_reference_issuer(holder: Holder) -> None:
    box: dict[str, Sessions] = {}
    holder_ctx = VerifyContext()

    class Late:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await verifier_app(box["s"], page=True)(scope, receive, send)

    with http_app(Late()) as base:
        box["s"] = Sessions(base, lambda: holder_ctx, signer=ephemeral_signer())
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "<form" in page.text
        made = httpx.get(base + "/new", params={"type": VCT, "claims": "grade"})
        assert made.status_code == 303
        shown = httpx.get(base + made.headers["location"].removeprefix(base))
        assert shown.status_code == 200 and "<svg" in shown.text
        link = shown.text.split("id='link' href='")[1].split("'")[0].replace("&amp;", "&")
        client_id = parse_qs(urlsplit(link).query)["client_id"][0]
        assert client_id.startswith("decentralized_identifier:did:key:")
        result = shown.text.split("id='result' href='")[1].split("'")[0].lstrip("/")
        assert httpx.get(f"{base}/{result}").json() == {"verdict": None}
        pending = holder.wallet.read_request(link)
        with pytest.raises(VerificationFailed, match="valid_untrusted_issuer"):
            holder.wallet.answer_request(pending)
        verdict = httpx.get(f"{base}/{result}").json()
        # Trusting nobody, the page's verifier says the issuer is not trusted; the
        # signature, binding and query all hold.
        assert verdict["verdict"] == "valid_untrusted_issuer"
        assert verdict["query"]["status"] == "passed"
        wrong_key = result.rsplit("/", 1)[0] + "/not-the-key"
        assert httpx.get(f"{base}/{wrong_key}").status_code == 404


def test_a_second_request_in_a_thread_does_not_block(holder: Holder, employer: Wallet) -> None:
    # Two verifiers at once, answered in the other order: each gets its own answer.
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as first, asking(employer, spec) as second:
        done = threading.Event()
        _answer(holder, second.request.link)
        _answer(holder, first.request.link)
        done.set()
        a, b = first.outcome(), second.outcome()
    assert a is not None and b is not None
    assert a.nonce != b.nonce and a.verdict.value == b.verdict.value == "valid"


def test_an_https_request_link_is_answered_like_openid4vp(holder: Holder, employer: Wallet) -> None:
    # Verifiers also hand out https links (a wallet's universal link) with the same query.
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        link = asked.request.link.replace("openid4vp://", "https://wallet.example/authorize", 1)
        holder.wallet.close()
        code, out, err = respond(holder.path, link, "--yes", "--json")
        assert code == 0, err
        outcome = asked.outcome()
    assert json.loads(out)["sent"] is True
    assert outcome is not None and outcome.verdict.value == "valid"
    assert outcome.items[0][1].disclosed == ["/grade"]
    # Control: an https link without request parameters is not taken for one.
    code, _, err = respond(holder.path, "https://wallet.example/authorize?x=1", "--dry-run")
    assert code == 5 and "not an OpenID4VP request" in err


def test_wallet_request_text_and_qr_picture_answered_by_wallet_respond(
    holder: Holder, employer: Wallet, tmp_path: Path
) -> None:
    # The same round trip as people run it: text output, the request as a QR picture.
    employer_path = tmp_path / "employer"
    employer.close()
    holder.wallet.close()
    picture = tmp_path / "ask.png"
    verifier = _wallet_request(employer_path, "--claims", "grade", "--qr", str(picture))
    try:
        assert verifier.stderr is not None
        for line in verifier.stderr:
            if line.startswith("Waiting for the answer"):
                break
        assert picture.stat().st_size > 0, "wallet request wrote no QR picture"
        code, out, err = respond(holder.path, str(picture), "--yes")
        assert code == 0, err
        assert "/grade: B+" in out and "Shared with decentralized_identifier:" in out
        stdout, _ = verifier.communicate(timeout=60)
    finally:
        verifier.kill()
    assert verifier.returncode == 0, stdout
    lines = stdout.splitlines()
    assert lines[0] == "verdict: valid"
    assert "dcql_query" in lines[1] and "the answer holds what was asked" in lines[1]
    disclosed = lines[lines.index("  disclosed claims:") + 1 :]
    assert disclosed[0] == "    /grade: B+"
    assert disclosed[1] == "  signed in the clear:"  # nothing else was disclosed
