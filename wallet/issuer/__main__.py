"""python -m wallet.issuer: run the reference issuer and act on its state.

    serve     run the HTTPS server (prints where, and the CA to trust)
    offer     print a credential offer URI (and its QR code)
    revoke    revoke an issued credential (takes effect at once in a running server)
    list      list issued credentials
    issue     issue a credential without the protocol, for `wallet import URL`
    ca-path   print the path of the issuer's CA certificate

Errors are one line on stderr; exit 2 for usage, 4 for an unknown credential, 6 when the
port cannot be had.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from wallet.errors import UsageError, WalletError
from wallet.issuer.server.config import DEFAULT_PORT, IssuerConfig, default_state_dir

F = TypeVar("F", bound=Callable[..., Any])
PROG = "python -m wallet.issuer"


def _state_option(func: F) -> F:
    return click.option(
        "--state-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="The issuer's state folder (default: $WALLET_ISSUER_STATE, else a user data dir).",
    )(func)


def _state_dir(value: Path | None) -> Path:
    return (value or default_state_dir()).expanduser()


def _config(state_dir: Path, public_url: str | None) -> IssuerConfig:
    from wallet.issuer.server.runner import last_public_url

    url = public_url or last_public_url(state_dir) or f"https://localhost:{DEFAULT_PORT}"
    return IssuerConfig.create(url, state_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The Learner Wallet reference issuer: a college's OpenID4VCI issuer for demos and tests.

    \b
    Exit codes: 0 ok, 2 usage, 4 not found, 6 network (port in use).
    """


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--http", is_flag=True, help="Plain http (loopback only), for tests.")
@click.option("--public-url", help="Base URL B the issuer names itself by (default: localhost).")
@_state_option
def serve(host: str, port: int, http: bool, public_url: str | None, state_dir: Path | None) -> None:
    """Run the issuer until interrupted."""
    from wallet.issuer.server.runner import prepare

    prepared = prepare(
        _state_dir(state_dir), host=host, port=port, http=http, public_url=public_url
    )
    bound = prepared.sock.getsockname()
    where = f"issuer {prepared.base_url} listening on {bound[0]}:{bound[1]}"
    if prepared.tls is None:
        click.echo(f"{where} (plain http, loopback only)")
    else:
        ca = prepared.tls.ca_file
        click.echo(f"{where}; CA {ca}; export WALLET_CA_FILE={ca}")
    click.echo(f"example verifier (OpenID4VP): {prepared.base_url}/verifier/")
    sys.stdout.flush()
    prepared.server.run(sockets=[prepared.sock])


@cli.command()
@click.option("--config", "config_id", required=True, help="A credential configuration id.")
@click.option("--tx-code", is_flag=True, help="Protect the offer with a 6-digit code.")
@click.option("--by-reference", is_flag=True, help="Put a credential_offer_uri in the URI.")
@click.option("--qr", "qr_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--public-url", help="Base URL B (default: the one the server last ran with).")
@_state_option
def offer(
    config_id: str,
    tx_code: bool,
    by_reference: bool,
    qr_file: Path | None,
    public_url: str | None,
    state_dir: Path | None,
) -> None:
    """Print a credential offer URI (the tx_code, if any, goes to stderr)."""
    from wallet.issuer.server import oid4vci
    from wallet.issuer.server.state import StateStore

    if qr_file is not None and qr_file.suffix.lower() != ".png":
        raise UsageError("--qr takes a .png file name")
    config = _config(_state_dir(state_dir), public_url)
    made = oid4vci.create_offer(
        StateStore(config.state_dir),
        config,
        [config_id],
        tx_code=tx_code,
        by_reference=by_reference,
    )
    click.echo(made.uri)
    if made.tx_code:
        click.echo(f"tx_code: {made.tx_code}  (the code the learner gets by e-mail)", err=True)
    from wallet.present import qr  # the QR writer the wallet's own commands use

    if qr_file is not None:
        qr_file.write_bytes(qr.to_png(made.uri))
    if sys.stdout.isatty():
        click.echo(qr.to_terminal(made.uri))


@cli.command()
@click.argument("credential_id")
@_state_option
def revoke(credential_id: str, state_dir: Path | None) -> None:
    """Revoke an issued credential (an id, or a unique start of one)."""
    from wallet.issuer.server.state import StateStore

    record = StateStore(_state_dir(state_dir)).revoke(credential_id)
    click.echo(f"revoked {record.id} ({record.kind}, {record.status_list} list)")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@_state_option
def list_(as_json: bool, state_dir: Path | None) -> None:
    """List issued credentials."""
    from wallet.issuer.server.state import StateStore

    records = StateStore(_state_dir(state_dir)).issued()
    if as_json:
        click.echo(json.dumps([{**r.to_dict(), "path": r.path} for r in records], indent=2))
        return
    for r in records:
        when = datetime.fromtimestamp(r.issued_at, UTC).strftime("%Y-%m-%d %H:%M")
        state = "revoked" if r.revoked else "active"
        click.echo(f"{r.id}  {r.kind:12} {state:8} {when}  {r.path}  {r.subject or ''}")


@cli.command()
@click.argument("kind", type=click.Choice(["ldp_vc", "jwt_vc_json", "dc+sd-jwt", "ob2"]))
@click.option("--holder", help="The subject's DID (OB 3.0) or e-mail (OB 2.0).")
@click.option("--public-url", help="Base URL B (default: the one the server last ran with).")
@_state_option
def issue(kind: str, holder: str | None, public_url: str | None, state_dir: Path | None) -> None:
    """Issue a credential directly; prints the URL it is served at."""
    from wallet.issuer.server import credentials
    from wallet.issuer.server.keys import IssuerKeys
    from wallet.issuer.server.state import StateStore

    config = _config(_state_dir(state_dir), public_url)
    who = credentials.Holder(did=holder) if kind != "ob2" else credentials.Holder()
    record, _ = credentials.issue(
        StateStore(config.state_dir),
        config,
        IssuerKeys.load(config),
        kind,
        who,
        recipient=holder if kind == "ob2" else None,
    )
    click.echo(config.url(record.path))


@cli.command(name="ca-path")
@_state_option
def ca_path(state_dir: Path | None) -> None:
    """Print the path of the CA certificate (PEM) the wallet must trust (WALLET_CA_FILE)."""
    from wallet.issuer.server.tls import ensure_ca

    click.echo(str(ensure_ca(_state_dir(state_dir)).ca_file))


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.Abort:
        sys.exit(1)
    except WalletError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
