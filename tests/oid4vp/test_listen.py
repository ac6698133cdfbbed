"""Where `wallet request` listens: this machine by default, another address only when the
user names one, and then only with TLS (holders fetch only https from other machines).
The TLS path is shown on loopback with a certificate from a CA of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.oid4vp.conftest import PASSPHRASE, VCT, Holder
from wallet.api import Listen, OpenRequest, RequestSpec, Wallet, serve_request
from wallet.cli import cli
from wallet.errors import NetworkError, UsageError
from wallet.issuer.server.tls import ensure_tls


def request(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["request", "--no-wallet", "--unsigned", "--timeout", "1s", *args],
        env={"WALLET_PASSPHRASE": PASSPHRASE},
        catch_exceptions=False,
    )
    return result.exit_code, result.stderr


def test_loopback_by_default() -> None:
    listen = Listen()
    assert listen.host == "127.0.0.1" and listen.loopback
    assert listen.base_url(8080) == "http://127.0.0.1:8080/oid4vp"
    assert Listen.parse("[::1]:0").loopback and Listen.parse("localhost:9").loopback


@pytest.mark.parametrize(
    ("serve", "says"),
    [
        ("192.168.1.20:8443", "192.168.1.20 is not this machine"),
        ("0.0.0.0:8443", "0.0.0.0 is not this machine"),
        ("no-port", "--serve takes HOST:PORT"),
        ("127.0.0.1:99999", "--serve takes HOST:PORT"),
    ],
)
def test_another_address_only_when_named_and_only_with_tls(serve: str, says: str) -> None:
    code, err = request("--type", VCT, "--serve", serve)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err


def test_half_a_tls_pair_is_refused(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    with pytest.raises(UsageError, match="give both --tls-cert and --tls-key"):
        Listen.parse("192.168.1.20:8443", cert, None)
    code, err = request("--type", VCT, "--serve", "192.168.1.20:8443", "--tls-cert", str(cert))
    assert code == 2 and "give both --tls-cert and --tls-key" in err


def test_a_named_address_with_tls_is_served_over_https(
    holder: Holder, employer: Wallet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = ensure_tls(tmp_path / "ca")
    listen = Listen.parse("127.0.0.1:0", tls.cert_file, tls.key_file)
    monkeypatch.setenv("WALLET_CA_FILE", str(tls.ca_file))
    seen: list[str] = []

    def answer(open_request: OpenRequest) -> None:
        seen.append(open_request.response_uri)
        pending = holder.wallet.read_request(open_request.link)
        holder.wallet.answer_request(pending)

    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    outcome = serve_request(employer, spec, listen, timeout=20, on_ready=answer)
    assert seen[0].startswith("https://127.0.0.1:")
    assert outcome is not None and outcome.verdict.value == "valid"
    assert outcome.items[0][1].disclosed == ["/grade"]


def test_without_the_verifiers_ca_the_learner_does_not_fetch(
    holder: Holder, employer: Wallet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Control beside the test above: the same server, the learner not trusting its CA.
    tls = ensure_tls(tmp_path / "ca")
    listen = Listen.parse("127.0.0.1:0", tls.cert_file, tls.key_file)
    monkeypatch.delenv("WALLET_CA_FILE", raising=False)
    errors: list[Exception] = []

    def answer(open_request: OpenRequest) -> None:
        try:
            holder.wallet.read_request(open_request.link)
        except NetworkError as exc:
            errors.append(exc)

    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",))
    outcome = serve_request(employer, spec, listen, timeout=0.5, on_ready=answer)
    assert outcome is None  # nothing was answered
    assert len(errors) == 1 and "certificate" in errors[0].message.lower()
