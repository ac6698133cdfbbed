"""Bad input, each on loopback, each beside its honest control: a request whose signature
does not verify, a request_uri that times out or returns junk, a query nothing matches,
claims that cannot be disclosed selectively, answers replayed to another verifier or
with another nonce or twice, over-large requests, and a plain-http response_uri that is
not on this machine."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ed25519
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.oid4vp.conftest import PASSPHRASE, VCT, Holder
from tests.oid4vp.servers import asking, http_app
from wallet.api import Listen, RequestSpec, Wallet
from wallet.cli import cli
from wallet.exchange.oid4vp import answer
from wallet.verifier.app import Sessions
from wallet.verifier.serve import serving
from wallet.verify import jws, keys

QUERY = {
    "credentials": [
        {
            "id": "transcript",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [VCT]},
            "claims": [{"path": ["grade"]}],
        }
    ]
}


def respond(holder: Holder, *args: str) -> tuple[int, str, str]:
    holder.wallet.close()
    result = CliRunner().invoke(
        cli,
        ["--wallet", str(holder.path), "respond", *args],
        env={"WALLET_PASSPHRASE": PASSPHRASE},
        catch_exceptions=False,
    )
    if result.exit_code != 0:
        # Every refusal is one clear line on stderr, never a traceback or a dump.
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return result.exit_code, result.stdout, result.stderr


@dataclass
class Key:
    private: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    @property
    def did(self) -> str:
        return keys.did_key_from_public_key(self.private.public_key())

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did[8:]}"


@dataclass
class FakeVerifier:
    """A verifier whose request object the test writes (and breaks) itself."""

    base: str
    key: Key = field(default_factory=Key)
    request_object: Callable[[dict[str, Any]], bytes | Response] | None = None
    posted: list[dict[str, str]] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return f"decentralized_identifier:{self.key.did}"

    def payload(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": f"{self.base}/response",
            "nonce": "n-0S6_WzA2Mj-abcdefghijkl",
            "state": "s-1234567890abcdefghijkl",
            "dcql_query": QUERY,
            **extra,
        }

    def sign(self, payload: dict[str, Any], key: Key | None = None, **headers: Any) -> str:
        signer = key or self.key
        header = {"typ": "oauth-authz-req+jwt", "kid": signer.kid, **headers}
        return jws.sign_compact(payload, signer.private, headers=header)

    def link(self, **extra: str) -> str:
        params = {"client_id": self.client_id, "request_uri": f"{self.base}/request", **extra}
        return "openid4vp://?" + urlencode(params)


@contextmanager
def fake_verifier() -> Iterator[FakeVerifier]:
    box: dict[str, FakeVerifier] = {}

    async def request_object(request: Request) -> Response:
        fake = box["v"]
        form = dict(httpx.QueryParams((await request.body()).decode()))
        make = fake.request_object or (lambda _: fake.sign(fake.payload()).encode())
        made = await run_in_threadpool(make, form)  # a slow one must not stall the server
        if isinstance(made, Response):
            return made
        return Response(made, media_type="application/oauth-authz-req+jwt")

    async def response(request: Request) -> Response:
        body = (await request.body()).decode()
        box["v"].posted.append(dict(httpx.QueryParams(body)))
        return JSONResponse({})

    app = Starlette(
        routes=[
            Route("/request", request_object, methods=["GET", "POST"]),
            Route("/response", response, methods=["POST"]),
        ]
    )
    with http_app(app) as base:
        box["v"] = FakeVerifier(base)
        yield box["v"]


# -- the request's signature --------------------------------------------------------------


def test_a_request_signed_by_another_key_is_refused(holder: Holder) -> None:
    with fake_verifier() as fake:
        pending = holder.wallet.read_request(fake.link())  # control: honestly signed
        assert pending.consent.verified and pending.consent.how == f"signed by {fake.key.did}"
        assert fake.posted == []  # reading sends nothing
        impostor = Key()
        # The impostor signs with its own key but names the verifier's key id.
        fake.request_object = lambda _: fake.sign(
            fake.payload(), impostor, kid=fake.key.kid
        ).encode()
        code, _, err = respond(holder, fake.link(), "--yes")
    assert code == 1
    assert "the request's signature does not verify" in err
    assert fake.posted == []


def test_a_tampered_request_object_is_refused(holder: Holder) -> None:
    with fake_verifier() as fake:

        def tampered(_: Any) -> bytes:
            header, _payload, signature = fake.sign(fake.payload()).split(".")
            other = keys.b64url(
                json.dumps(fake.payload(response_uri="http://127.0.0.1:1/steal")).encode()
            )
            return f"{header}.{other}.{signature}".encode()

        fake.request_object = tampered
        code, _, err = respond(holder, fake.link(), "--yes")
    assert code == 1 and "signature does not verify" in err


def test_a_key_of_another_did_is_refused(holder: Holder) -> None:
    with fake_verifier() as fake:
        other = Key()
        fake.request_object = lambda _: fake.sign(fake.payload(), other).encode()
        code, _, err = respond(holder, fake.link(), "--yes")
    assert code == 1 and "which is not one of" in err


def test_prefix_rules_for_signed_and_unsigned_requests(holder: Holder) -> None:
    with fake_verifier() as fake:
        unsigned = fake.payload()
        by_value = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in unsigned.items()}
        code, _, err = respond(holder, "openid4vp://?" + urlencode(by_value), "--yes")
        assert code == 5 and "must be signed" in err
        redirect = fake.payload(client_id=f"redirect_uri:{fake.base}/response")
        fake.request_object = lambda _: fake.sign(redirect).encode()
        code, _, err = respond(holder, fake.link(client_id=redirect["client_id"]), "--yes")
        assert code == 5 and "must not be signed" in err
        assert fake.posted == []


def test_the_request_object_must_name_the_links_client_id(holder: Holder) -> None:
    with fake_verifier() as fake:
        code, _, err = respond(
            holder, fake.link(client_id="redirect_uri:https://x.example/cb"), "--yes"
        )
    assert code == 5 and "client_id is not the one the link names" in err


def test_expired_request_objects_and_wrong_wallet_nonce_are_refused(holder: Holder) -> None:
    with fake_verifier() as fake:
        fake.request_object = lambda _: fake.sign(fake.payload(exp=int(time.time()) - 10)).encode()
        code, _, err = respond(holder, fake.link(), "--yes")
        assert code == 5 and "expired" in err
        # request_uri_method=post: the object must carry the wallet_nonce the wallet sent.
        fake.request_object = lambda form: fake.sign(
            fake.payload(wallet_nonce="not-yours")
        ).encode()
        code, _, err = respond(holder, fake.link(request_uri_method="post"), "--yes")
        assert code == 5 and "wallet_nonce" in err
        fake.request_object = lambda form: fake.sign(
            fake.payload(wallet_nonce=form["wallet_nonce"])
        ).encode()
        code, _, err = respond(holder, fake.link(request_uri_method="post"), "--yes")
        assert code == 0, err
        assert len(fake.posted) == 1


# -- the request_uri ----------------------------------------------------------------------


def test_a_request_uri_that_times_out(holder: Holder) -> None:
    with fake_verifier() as fake:

        def slow(_: Any) -> bytes:
            time.sleep(1.8)
            return fake.sign(fake.payload()).encode()

        fake.request_object = slow
        code, _, err = respond(holder, fake.link(), "--yes", "--timeout", "1s")
        assert code == 6 and "timed out" in err  # it gave up before the 1.8 s answer
        assert fake.posted == []
        fake.request_object = None  # control
        code, _, err = respond(holder, fake.link(), "--yes", "--timeout", "1s")
        assert code == 0, err


@pytest.mark.parametrize(
    ("served", "code", "message"),
    [
        (b"hello, this is not a JWT", 5, "not a JWT"),
        (b"\xff\xfe\x00binary", 5, "not a signed request object"),
        (Response("oops", 500), 6, "answered HTTP 500"),
        (Response("", 302, headers={"location": "http://127.0.0.1:1/elsewhere"}), 6, "redirect"),
    ],
)
def test_a_request_uri_that_returns_junk(
    holder: Holder, served: Any, code: int, message: str
) -> None:
    with fake_verifier() as fake:
        fake.request_object = lambda _: served
        got, _, err = respond(holder, fake.link(), "--yes")
    assert got == code and message in err
    assert fake.posted == []


def test_a_request_object_with_the_wrong_typ_is_refused(holder: Holder) -> None:
    with fake_verifier() as fake:
        fake.request_object = lambda _: fake.sign(fake.payload(), typ="JWT").encode()
        code, _, err = respond(holder, fake.link(), "--yes")
    assert code == 5 and "typ is 'JWT'" in err


# -- no match, and what cannot be disclosed selectively ---------------------------------


def test_no_matching_credential_says_so_honestly(holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("dc+sd-jwt", "https://pid.example/identity", ("family_name",))
    with asking(employer, spec) as asked:
        code, _, err = respond(holder, asked.request.link, "--yes")
        asked.cancel.set()
    assert code == 4
    assert "you have no credential that matches this request" in err
    assert "https://pid.example/identity" in err
    control = RequestSpec("dc+sd-jwt", VCT, ("family_name",))
    with asking(employer, control) as asked:
        code, _, err = respond(holder, asked.request.link, "--yes")
        assert code == 0, err


def test_a_whole_credential_is_never_sent_without_explicit_consent(
    holder: Holder, employer: Wallet
) -> None:
    spec = RequestSpec("ldp_vc", "OpenBadgeCredential", ("credentialSubject.achievement.name",))
    with asking(employer, spec) as asked:
        code, out, _ = respond(holder, asked.request.link, "--dry-run")
        assert code == 0
        assert "THE WHOLE CREDENTIAL would be shared" in out
        code, _, err = respond(holder, asked.request.link)  # off a terminal, no --yes
        assert code == 2 and "nothing was sent: pass --yes" in err
        asked.cancel.set()
        assert asked.outcome() is None
    with asking(employer, spec) as asked:  # control: explicit --yes
        code, _, err = respond(holder, asked.request.link, "--yes", "--json")
        assert code == 0, err
        outcome = asked.outcome()
    assert outcome is not None and outcome.verdict.value == "valid"


# -- replays, refused by the verifier side ------------------------------------------------


def _token_for(
    holder: Holder, link: str, *, client_id: str | None = None, nonce: str | None = None
) -> tuple[str, str]:
    """(vp_token JSON, state) that the holder's answer to ``link`` would carry, optionally
    made for another client id or nonce."""
    pending = holder.wallet.read_request(link)
    req = pending.request
    answers = {
        qid: [(holder.wallet.get(cid).credential, p) for cid, p in items]
        for qid, items in pending.plan.items()
    }
    token = answer.vp_token(
        answers,
        holder.wallet.signers(),
        client_id=client_id or req.verifier.client_id,
        nonce=nonce or req.nonce,
    )
    return json.dumps(token), req.state or ""


def test_an_answer_replayed_to_another_verifier_is_refused(
    holder: Holder, employer: Wallet
) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as a, asking(employer, spec, signed=False) as b:
        made_for_a, _ = _token_for(holder, a.request.link)
        _, state_b = _token_for(holder, b.request.link)
        refused = httpx.post(
            b.request.response_uri, data={"vp_token": made_for_a, "state": state_b}
        )
        a.cancel.set()
        outcome = b.outcome()
    assert refused.status_code == 400
    assert refused.json()["error_description"] == (
        "not accepted: verdict invalid (audience, nonce failed)"
    )
    assert outcome is not None and outcome.verdict.value == "invalid"
    checks = {c.name: c.status.value for _, item in outcome.items for c in item.report.checks}
    assert checks["audience"] == "failed" and checks["nonce"] == "failed"
    with asking(employer, spec, signed=False) as b:  # control: made for b
        token, state = _token_for(holder, b.request.link)
        assert (
            httpx.post(b.request.response_uri, data={"vp_token": token, "state": state}).status_code
            == 200
        )
        outcome = b.outcome()
    assert outcome is not None and outcome.verdict.value == "valid"


def test_an_answer_with_another_nonce_is_refused(holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        token, state = _token_for(holder, asked.request.link, nonce="an-older-nonce-0123456789")
        refused = httpx.post(asked.request.response_uri, data={"vp_token": token, "state": state})
        outcome = asked.outcome()
    assert refused.status_code == 400
    assert refused.json()["error_description"] == "not accepted: verdict invalid (nonce failed)"
    assert outcome is not None and outcome.verdict.value == "invalid"
    checks = {c.name: c.status.value for _, item in outcome.items for c in item.report.checks}
    assert checks["nonce"] == "failed" and checks["audience"] == "passed"


def test_a_second_post_of_the_same_answer_is_refused(holder: Holder, employer: Wallet) -> None:
    # Served without ending at the first answer (wallet request stops listening then).
    ctx = employer.verify_context()
    signer = employer.signers()[0]
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with serving(Listen(), lambda url: Sessions(url, lambda: ctx, signer=signer)) as sessions:
        session = sessions.new(spec)
        token, state = _token_for(holder, session.link())
        first = httpx.post(session.response_uri, data={"vp_token": token, "state": state})
        second = httpx.post(session.response_uri, data={"vp_token": token, "state": state})
    assert first.status_code == 200  # the honest answer
    assert second.status_code == 400 and "already answered" in second.text
    assert session.outcome is not None and session.outcome.verdict.value == "valid"


def test_an_answer_with_an_unknown_state_does_not_count(holder: Holder, employer: Wallet) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        token, state = _token_for(holder, asked.request.link)
        stray = httpx.post(asked.request.response_uri, data={"vp_token": token, "state": "guess"})
        good = httpx.post(asked.request.response_uri, data={"vp_token": token, "state": state})
        outcome = asked.outcome()
    assert stray.status_code == 400 and good.status_code == 200
    assert outcome is not None and outcome.verdict.value == "valid"


def test_an_answer_that_does_not_answer_the_query_is_not_valid(
    holder: Holder, employer: Wallet
) -> None:
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    with asking(employer, spec) as asked:
        pending = holder.wallet.read_request(asked.request.link)
        credential = holder.wallet.get(holder.ids["sdjwt"]).credential
        # A genuine, bound presentation, but disclosing the name instead of the grade.
        token = answer.vp_token(
            {"credential": [(credential, ["/given_name"])]},
            holder.wallet.signers(),
            client_id=pending.request.verifier.client_id,
            nonce=pending.request.nonce,
        )
        data = {"vp_token": json.dumps(token), "state": pending.request.state or ""}
        refused = httpx.post(asked.request.response_uri, data=data)
        outcome = asked.outcome()
    assert refused.status_code == 400
    assert outcome is not None and outcome.verdict.value == "invalid"
    assert "is not a dc+sd-jwt credential" in outcome.problems[0]


# -- sizes and the network rules -----------------------------------------------------------


def test_over_large_requests_are_refused(holder: Holder) -> None:
    with fake_verifier() as fake:
        huge = fake.link(padding="x" * 70_000)
        code, _, err = respond(holder, huge, "--yes")
        assert code == 5 and "more than the 65,536 limit" in err
        big = fake.payload(padding="y" * 300_000)
        fake.request_object = lambda _: fake.sign(big).encode()
        code, _, err = respond(holder, fake.link(), "--yes")
        assert code == 6 and "larger than 262,144 bytes" in err
        fake.request_object = None  # control
        code, _, err = respond(holder, fake.link(), "--yes")
        assert code == 0, err


def _by_value(response_uri: str) -> str:
    params = {
        "client_id": f"redirect_uri:{response_uri}",
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": "n-0S6_WzA2Mj-abcdefghijkl",
        "dcql_query": json.dumps(QUERY),
    }
    return "openid4vp://?" + urlencode(params)


def test_a_plain_http_response_uri_off_this_machine_is_refused(
    holder: Holder, tmp_path: Path
) -> None:
    code, _, err = respond(holder, _by_value("http://verifier.example/cb"), "--yes")
    assert code == 6 and "plain http" in err
    # Controls: https anywhere, and http to this machine, are allowed (read only, no post).
    for uri in ("https://verifier.example/cb", "http://127.0.0.1:9/cb"):
        code, out, err = respond(holder, _by_value(uri), "--dry-run")
        assert code == 0, err
        assert f"answer goes to: {uri}" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"response_mode": "direct_post.jwt"}, "response_mode 'direct_post.jwt' is not supported"),
        ({"response_mode": "fragment"}, "not supported"),
        ({"transaction_data": "e30"}, "transaction_data"),
        ({"dcql_query": "{not json"}, "not JSON"),
        ({"nonce": "spaces are not url safe"}, "nonce is missing or not URL-safe"),
        ({"client_id": "verifier-without-prefix"}, "pre-registered client"),
        ({"client_id": "openid_federation:https://fed.example"}, "prefix 'openid_federation'"),
        # An unsigned request whose answer would go somewhere its client id does not name.
        (
            {"client_id": "redirect_uri:https://honest.example/cb"},
            "does not match the response_uri https://verifier.example/cb",
        ),
        ({"response_type": "code"}, "response_type 'code' is not supported"),
        ({"redirect_uri": "https://verifier.example/back"}, "must not carry redirect_uri"),
        ({"scope": "openid"}, "both a scope and a DCQL query"),
    ],
)
def test_unsupported_or_malformed_parameters(
    holder: Holder, change: dict[str, str], message: str
) -> None:
    from urllib.parse import parse_qsl, urlsplit

    params = dict(parse_qsl(urlsplit(_by_value("https://verifier.example/cb")).query))
    params.update(change)
    code, _, err = respond(holder, "openid4vp://?" + urlencode(params), "--dry-run")
    assert code == 5 and message in err


def test_a_missing_request_file_is_not_found(holder: Holder, tmp_path: Path) -> None:
    code, _, err = respond(holder, str(tmp_path / "missing.png"), "--dry-run")
    assert code == 4 and "no such file, and not a request link" in err
    text = tmp_path / "request.txt"
    text.write_text("not a link at all\n")
    code, _, err = respond(holder, str(text), "--dry-run")
    assert code == 5 and "not an OpenID4VP request" in err


def test_a_signed_request_for_encrypted_responses_is_not_supported(holder: Holder) -> None:
    # direct_post.jwt (encrypted answers) is not implemented: said in one line, nothing sent.
    with fake_verifier() as fake:
        fake.request_object = lambda _: fake.sign(
            fake.payload(response_mode="direct_post.jwt")
        ).encode()
        code, _, err = respond(holder, fake.link(), "--yes")
        assert code == 5
        assert "response_mode 'direct_post.jwt' is not supported" in err
        assert fake.posted == []
        fake.request_object = None  # control: the same verifier with direct_post
        code, _, err = respond(holder, fake.link(), "--yes")
        assert code == 0, err
        assert len(fake.posted) == 1
