"""The reference issuer's example verifier (/verifier): both sides on one machine. A learner
obtains the programme credential from the issuer (OpenID4VCI), the verifier page makes an
OpenID4VP request, `wallet respond` answers it, and the page and its JSON say valid, with
exactly the claims asked for."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from tests.issuer.server_fixture import RunningIssuer
from wallet.api import KdfParams, Wallet
from wallet.cli import cli

PASSPHRASE = "correct horse battery staple"


def _wallet(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["--wallet", str(path), *args],
        env={"WALLET_PASSPHRASE": PASSPHRASE},
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def learner(tmp_path: Path, issuer_server: RunningIssuer) -> Path:
    """A wallet holding the programme credential, obtained from the issuer by its offer."""
    path = tmp_path / "learner"
    wallet, _ = Wallet.create(path, PASSPHRASE, kdf=KdfParams.for_tests(), allow_weak=True)
    wallet.close()
    uri, _ = issuer_server.offer("programme_sd_jwt")
    code, out, err = _wallet(path, "--json", "import", uri)
    assert code == 0, err
    [imported] = json.loads(out)["results"]
    assert imported["format"] == "sd-jwt"
    return path


def _href(page: str, element_id: str) -> str:
    found = re.search(rf"id='{element_id}' href='([^']+)'", page)
    assert found, f"no #{element_id} link in the page"
    return html.unescape(found.group(1))


def _make_request(client: httpx.Client, **params: str) -> tuple[str, str, str]:
    """(the session page's path, the request link, the JSON result's path)."""
    form = client.get("/verifier/")
    assert form.status_code == 200 and "<form action='new'>" in form.text
    made = client.get("/verifier/new", params=params)
    assert made.status_code == 303
    page_path = made.headers["location"]
    assert page_path.startswith("/verifier/session/")
    page = client.get(page_path)
    assert page.status_code == 200
    assert "<svg" in page.text and "http-equiv='refresh'" in page.text
    return page_path, _href(page.text, "link"), _href(page.text, "result")


def _example(issuer_server: RunningIssuer) -> dict[str, str]:
    """What the page's form is prefilled with."""
    with issuer_server.client() as client:
        form = client.get("/verifier/").text
    values = dict(re.findall(r"name='(\w+)' size='60' value='([^']*)'", form))
    assert "<option selected>dc+sd-jwt</option>" in form
    return {"format": "dc+sd-jwt", **{k: html.unescape(v) for k, v in values.items()}}


def test_the_page_asks_for_the_programme_credential_and_wallet_respond_answers(
    issuer_server: RunningIssuer, learner: Path
) -> None:
    example = _example(issuer_server)
    assert example["type"] == issuer_server.url("/vct/programme")
    assert example["claims"] == "given_name,family_name,grade"
    with issuer_server.client() as client:
        page_path, link, result_path = _make_request(client, **example)
        query = parse_qs(urlsplit(link).query)
        assert query["request_uri"][0].startswith(issuer_server.url("/verifier/request/"))
        assert client.get(result_path).json() == {"verdict": None}

        code, out, err = _wallet(learner, "respond", link, "--yes", "--json")
        assert code == 0, err
        sent = json.loads(out)
        assert sent["consent"]["verifier"]["verified"] is True
        assert sent["consent"]["verifier"]["name"] == (
            "Harbourview College of Applied Technology (example verifier)"
        )
        assert sent["sent_to"].startswith(issuer_server.url("/verifier/response/"))

        verdict = client.get(result_path).json()
        page = client.get(page_path).text
    assert verdict["verdict"] == "valid"  # the verifier trusts its own college
    assert verdict["query"]["status"] == "passed"
    (item,) = verdict["credentials"]
    assert item["disclosed"] == ["/family_name", "/given_name", "/grade"]  # exactly these
    disclosable = {"given_name", "family_name", "student_number", "grade", "credits"}
    assert sorted(disclosable & set(item["claims"])) == ["family_name", "given_name", "grade"]
    assert (item["claims"]["given_name"], item["claims"]["grade"]) == ("Alex", "A-")
    statuses = {c["name"]: c["status"] for c in item["checks"]}
    for name in ("signature", "holder_binding", "nonce", "audience", "status", "issuer_trust"):
        assert statuses[name] == "passed", (name, statuses)
    # The page now shows the verdict and the disclosed claims, and stops refreshing.
    assert "<span id='verdict'>valid</span>" in page
    assert "<td><code>/grade</code></td><td>A-</td>" in page
    assert "http-equiv='refresh'" not in page


def test_a_revoked_credential_is_not_valid_on_the_page(
    issuer_server: RunningIssuer, learner: Path
) -> None:
    # Control beside the test above: the same flow, the credential revoked first.
    [record] = [r for r in issuer_server.issued() if r.kind == "dc+sd-jwt"]
    issuer_server.revoke(record.id)
    with issuer_server.client() as client:
        _, link, result_path = _make_request(client, **_example(issuer_server))
        code, _, err = _wallet(learner, "respond", link, "--yes")
        verdict = client.get(result_path).json()
    assert code == 1 and "not accepted" in err and len(err.strip().splitlines()) == 1
    assert verdict["verdict"] == "invalid"
    (item,) = verdict["credentials"]
    assert {c["name"]: c["status"] for c in item["checks"]}["status"] == "failed"


def test_the_result_needs_its_key_and_bad_requests_say_why(
    issuer_server: RunningIssuer,
) -> None:
    with issuer_server.client() as client:
        page_path, _, result_path = _make_request(client, **_example(issuer_server))
        wrong = result_path.rsplit("/", 1)[0] + "/not-the-key"
        assert client.get(wrong).status_code == 404
        assert client.get(page_path.rsplit("/", 1)[0] + "/not-the-key").status_code == 404
        bad = client.get("/verifier/new", params={"format": "mdoc"})
        assert bad.status_code == 400 and "--format must be one of" in bad.text
        # Text from the form is escaped on the page.
        made = client.get("/verifier/new", params={"claims": "<b>x</b>"})
        page = client.get(made.headers["location"]).text
    assert "<b>x</b>" not in page
