"""The network rules of wallet.exchange.net, against servers on 127.0.0.1: which URLs are
fetched at all, TLS trust, timeouts, redirects and the body cap. Each refusal beside the
honest request that passes."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from tests.exchange.rawserver import RawServer
from tests.issuer.server_fixture import RunningIssuer
from wallet.errors import NetworkError, UsageError
from wallet.exchange import net
from wallet.exchange.net import Http, NetPolicy

DID = "/.well-known/did.json"


def _refused(url: str, policy: NetPolicy | None = None, **kw: Any) -> str:
    with Http(policy) as http, pytest.raises(NetworkError) as caught:
        http.get(url, **kw)
    message = caught.value.message
    assert "\n" not in message
    return message


# -- which URLs are fetched -----------------------------------------------------------------


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every DNS lookup or connection attempt, recorded and stopped."""
    attempts: list[str] = []

    def lookup(host: Any, *args: Any, **kw: Any) -> Any:
        attempts.append(f"getaddrinfo {host}")
        raise OSError("no lookups in this test")

    def send(self: Any, request: httpx.Request) -> httpx.Response:
        attempts.append(f"send {request.url}")
        raise httpx.ConnectError("no connections in this test")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", send)
    return attempts


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://example.com/badge.json", "is plain http; only https is fetched"),
        ("http://10.0.0.1/badge.json", "is plain http"),
        ("http://localhost.example.com/", "is plain http"),
        ("ftp://example.com/badge.json", "is not an https URL"),
        ("file:///etc/passwd", "not a valid URL (no host)"),
        ("https://user:secret@example.com/", "carries a user name or password"),
        ("https://example.com:99999/", "not a valid URL"),
        ("https://exa\x00mple.com/", "not a valid URL"),
        ("https://xn--zz.com/", "not a valid URL"),
        ("http://evil.example\\.localhost/", "not a valid URL (host 'evil.example\\\\.localhost')"),
        ("http://evil.example%2f.localhost/", "not a valid URL (host"),
        ("http://evil.example;.localhost/", "not a valid URL (host"),
    ],
)
def test_refused_before_any_lookup_or_connection(
    no_connections: list[str], url: str, says: str
) -> None:
    assert says in _refused(url)
    assert no_connections == []


def test_control_an_https_url_does_try_to_connect(no_connections: list[str]) -> None:
    # The recorder works: an allowed URL reaches the transport.
    assert "could not connect" in _refused("https://example.com/badge.json")
    assert no_connections == ["send https://example.com/badge.json"]


def test_a_host_no_idna_codec_takes_is_one_line_not_a_crash() -> None:
    # Passes the URL check, fails in the name encoding: still a NetworkError.
    assert _refused("https://a..b/") == "GET https://a..b/: not a valid host name"


def test_plain_http_to_loopback_is_fetched(raw_server: RawServer) -> None:
    for host in ("127.0.0.1", "localhost"):
        with Http() as http:
            response = http.get(raw_server.url("/ok", host=host))
        assert response.ok and response.json_object("answer") == {"ok": True}


def test_this_machine_is_reached_directly_whatever_the_proxy_settings(
    raw_server: RawServer, http_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = raw_server.url("")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with Http() as http:
        response = http.get(http_server.url(DID))
    assert response.json_object("did")["id"] == http_server.did  # the issuer answered
    assert raw_server.log == []  # the proxy saw nothing
    # Control: the wider network still goes through the proxy (which refuses here).
    with Http() as http, pytest.raises(NetworkError):
        http.get("https://college.example/badge.json")
    assert [(s.method, s.path) for s in raw_server.log] == [("CONNECT", "college.example:443")]


# -- TLS ------------------------------------------------------------------------------------


def test_https_to_an_untrusted_certificate_fails_cleanly(
    issuer_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(net.CA_FILE_ENV)
    message = _refused(issuer_server.url(DID))
    assert message == (
        f"GET {issuer_server.url(DID)}: its TLS certificate is not trusted (for a local "
        "issuer, set WALLET_CA_FILE to its CA file)"
    )


def test_control_https_with_the_issuers_ca_trusted(issuer_server: RunningIssuer) -> None:
    with Http() as http:
        response = http.get(issuer_server.url(DID))
    assert response.status == 200 and response.json_object("did")["id"] == issuer_server.did


def test_an_unreadable_ca_file_is_a_usage_error(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(net.CA_FILE_ENV, str(tmp_path / "missing.pem"))
    with pytest.raises(UsageError, match=r"WALLET_CA_FILE=.*missing\.pem: not a readable PEM"):
        Http()


# -- timeouts -------------------------------------------------------------------------------


def test_a_slow_answer_times_out_under_the_env_timeout(
    issuer_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(net.TIMEOUT_ENV, "0.3")
    issuer_server.misbehaviour.slow = 2.0
    issuer_server.misbehaviour.target = DID
    assert _refused(issuer_server.url(DID)) == (
        f"GET {issuer_server.url(DID)}: timed out waiting for the answer"
    )
    with Http() as http:  # control: the same server, another path, answers at once
        assert http.get(issuer_server.url("/partner/did.json")).ok


def test_an_answer_that_trickles_in_meets_the_whole_answer_deadline(
    raw_server: RawServer,
) -> None:
    # Every byte comes within the read timeout; the whole takes 2 s, past the deadline.
    policy = NetPolicy(read_timeout=1.0, total_timeout=0.5)
    url = raw_server.url("/drip/20")
    assert _refused(url, policy) == f"GET {url}: the answer took longer than 0.5 s; refused"
    with Http(NetPolicy(read_timeout=1.0, total_timeout=5.0)) as http:  # control
        assert http.get(raw_server.url("/drip/2")).content == b"00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (5.0, 15.0, 60.0)),
        ("", (5.0, 15.0, 60.0)),
        ("0.5", (0.5, 0.5, 2.0)),
        (" 30 ", (30.0, 30.0, 120.0)),
    ],
)
def test_the_timeout_setting(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: tuple[float, float, float]
) -> None:
    if value is None:
        monkeypatch.delenv(net.TIMEOUT_ENV, raising=False)
    else:
        monkeypatch.setenv(net.TIMEOUT_ENV, value)
    policy = NetPolicy.from_env()
    assert (policy.connect_timeout, policy.read_timeout, policy.total_timeout) == expected


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "601", "soon"])
def test_a_bad_timeout_setting_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(net.TIMEOUT_ENV, value)
    with pytest.raises(UsageError) as caught:
        Http()
    assert caught.value.message == (
        f"WALLET_NET_TIMEOUT={value}: not a number of seconds above 0 and at most 600"
    )


# -- redirects ------------------------------------------------------------------------------


def test_redirects_up_to_the_cap_are_followed(raw_server: RawServer) -> None:
    with Http() as http:
        response = http.get(raw_server.url("/redirect/3"))
    assert response.ok and response.url == raw_server.url("/redirect/0")
    assert [s.path for s in raw_server.log] == [f"/redirect/{n}" for n in (3, 2, 1, 0)]


def test_one_redirect_more_than_the_cap_is_refused(raw_server: RawServer) -> None:
    assert _refused(raw_server.url("/redirect/4")) == (
        f"GET {raw_server.url('/redirect/4')}: more than 3 redirects; not followed"
    )
    # Four answers read, the fifth never asked for.
    assert [s.path for s in raw_server.log] == [f"/redirect/{n}" for n in (4, 3, 2, 1)]


def test_the_cap_is_the_policys(raw_server: RawServer) -> None:
    assert "more than 1 redirects" in _refused(
        raw_server.url("/redirect/2"), NetPolicy(max_redirects=1)
    )
    with Http(NetPolicy(max_redirects=0)) as http, pytest.raises(NetworkError):
        http.get(raw_server.url("/redirect/1"))
    with Http(NetPolicy(max_redirects=0)) as http:
        assert http.get(raw_server.url("/redirect/0")).ok


def test_a_redirect_loop_is_refused(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.redirect_loop = True
    url = issuer_server.url(DID)
    assert _refused(url) == f"GET {url}: redirect loop (back to {url})"


def test_no_redirect_from_https_down_to_http(
    issuer_server: RunningIssuer, raw_server: RawServer
) -> None:
    issuer_server.misbehaviour.redirect_to_http = raw_server.url("/ok")
    url = issuer_server.url(DID)
    assert _refused(url) == f"{url}: refused a redirect from https to {raw_server.url('/ok')}"
    assert raw_server.log == []  # the http server was never asked


def test_control_http_to_loopback_may_redirect_within_http(raw_server: RawServer) -> None:
    with Http() as http:
        response = http.get(raw_server.url(f"/to?url={raw_server.url('/ok')}"))
    assert response.ok and response.url == raw_server.url("/ok")


def test_a_redirect_off_this_machine_over_http_is_refused(raw_server: RawServer) -> None:
    message = _refused(raw_server.url("/to?url=http://example.com/x"))
    assert message.endswith(
        "redirect refused: http://example.com/x is plain http; only https is fetched"
    )


def test_the_access_token_stays_with_its_origin(raw_server: RawServer) -> None:
    # 127.0.0.1 and localhost are two origins (the same server here): a 307 to the other
    # one must not carry the bearer token along, as httpx's own redirects do not.
    token = {"Authorization": "Bearer secret-token"}
    other = raw_server.url("/echo", host="localhost")
    with Http() as http:
        moved = http.post_json(raw_server.url(f"/to?url={other}"), {}, headers=token)
        same = http.post_json(
            raw_server.url(f"/to?url={raw_server.url('/echo')}"), {}, headers=token
        )
    assert "authorization" not in moved.json_object("echo")
    assert same.json_object("echo")["authorization"] == "Bearer secret-token"  # control


# -- body cap -------------------------------------------------------------------------------

SMALL = NetPolicy(max_bytes=1000)


def test_a_declared_length_over_the_cap_is_refused(raw_server: RawServer) -> None:
    url = raw_server.url("/length/1001")
    assert _refused(url, SMALL) == f"{url}: the answer is larger than 1,000 bytes; refused"


def test_a_body_without_length_is_capped_while_streaming(raw_server: RawServer) -> None:
    url = raw_server.url("/chunked/1001")
    assert _refused(url, SMALL) == f"{url}: the answer is larger than 1,000 bytes; refused"


def test_control_bodies_at_the_cap_are_read_whole(raw_server: RawServer) -> None:
    with Http(SMALL) as http:
        assert len(http.get(raw_server.url("/length/1000")).content) == 1000
        response = http.get(raw_server.url("/chunked/1000"))
    assert "content-length" not in response.headers and len(response.content) == 1000


def test_the_cap_counts_the_decompressed_body(raw_server: RawServer) -> None:
    # A few KB of gzip that unpack to 2 MB: the cap is on what the wallet would hold.
    url = raw_server.url("/gzip/2000000")
    policy = NetPolicy(max_bytes=1_000_000)
    assert _refused(url, policy) == f"{url}: the answer is larger than 1,000,000 bytes; refused"
    with Http(policy) as http:  # control: a small compressed body
        assert http.get(raw_server.url("/gzip/1000")).content == b"0" * 1000


def test_the_default_cap_on_a_huge_issuer_answer(issuer_server: RunningIssuer) -> None:
    issuer_server.misbehaviour.huge = net.MAX_RESPONSE_BYTES + 1
    url = issuer_server.url(DID)
    assert _refused(url) == f"{url}: the answer is larger than 4,000,000 bytes; refused"
