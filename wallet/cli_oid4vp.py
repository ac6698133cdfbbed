"""Remote sharing with OpenID4VP 1.0: `wallet respond` answers a verifier's request (after
showing who asks for what, and asking), `wallet request` asks as a verifier and judges the
answer as `wallet verify-presentation` does.

Exit codes: 0 shared / valid; 1 declined, refused by the verifier, not valid, or no answer
in time; 2 usage; 4 no matching credential; 5 malformed or unsupported request; 6 network.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from wallet.cli import Env, cli, json_option, pass_env, stdin_is_terminal
from wallet.cli_present import parse_duration, presented_credential_lines, write_qr
from wallet.errors import UsageError
from wallet.textsafe import safe_text


def _rows(title: str, rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return []
    return [f"   {title}", *(f"     {safe_text(r['path'])}: {safe_text(r['value'])}" for r in rows)]


def consent_text(consent: dict[str, Any]) -> str:
    """What the learner reads before anything is sent."""
    v = consent["verifier"]
    name = safe_text(v["name"]) if v["name"] else "(it gives no name)"
    lines = [
        f"Verifier:  {name}" + ("" if v["verified"] else "  -- NOT VERIFIED"),
        f"  identity: {safe_text(v['how'])}",
        f"  client id: {safe_text(v['client_id'])}",
        f"  answer goes to: {safe_text(consent['response_uri'])}",
    ]
    for purpose in consent["purposes"]:
        lines.append(f"Purpose:   {safe_text(purpose)}")
    lines.append("")
    lines.append("It would receive:")
    for i, item in enumerate(consent["credentials"], 1):
        issuer = safe_text(item["issuer"] or "unknown issuer")
        lines.append(f"{i}. {safe_text(item['title'])}  ({issuer}; {item['format']})")
        if item["whole_credential"]:
            lines.append(
                "   THE WHOLE CREDENTIAL would be shared: it cannot disclose claims one by one."
            )
            lines.extend(_rows("asked for:", item["requested"]))
        else:
            lines.extend(_rows("disclosed:", item["disclosed"]) or ["   disclosed: no claim"])
            lines.extend(_rows("also shown (signed in the clear):", item["also_shown"]))
        if item["alternatives"]:
            others = ", ".join(a[:8] for a in item["alternatives"])
            lines.append(f"   (also matching: {others}; choose one with --prefer ID)")
    if consent["unanswered_optional"]:
        lines.append(f"Not answered (optional): {', '.join(consent['unanswered_optional'])}")
    return "\n".join(lines)


def _confirmed(consent: dict[str, Any]) -> bool:
    verifier = consent["verifier"]["name"] or consent["verifier"]["client_id"]
    question = (
        f"Share the whole credential(s) above with {safe_text(verifier)}?"
        if consent["needs_confirmation"]
        else f"Share the claims above with {safe_text(verifier)}?"
    )
    return bool(click.confirm(question, default=False, err=True))


@cli.command()
@click.argument("request")
@click.option("--yes", is_flag=True, help="Share without asking (after reading the consent).")
@click.option("--dry-run", is_flag=True, help="Only show who asks for what; send nothing.")
@click.option(
    "--prefer", multiple=True, metavar="ID", help="Use this credential when several match."
)
@click.option(
    "--verifier-ca",
    "verifier_cas",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A PEM trust anchor for verifiers with X.509 certificates (x509_san_dns:).",
)
@click.option("--timeout", default="15s", show_default=True, help="Network timeout: 15s, 1m.")
@json_option
@pass_env
def respond(
    env: Env,
    request: str,
    yes: bool,
    dry_run: bool,
    prefer: tuple[str, ...],
    verifier_cas: tuple[Path, ...],
    timeout: str,
) -> None:
    """Answer an OpenID4VP request: REQUEST is its link (openid4vp://... or https://...),
    or a file or QR picture holding it.

    Shows the verifier (verified or not), its purpose and exactly which claims would be
    disclosed, then asks. A credential without selective disclosure is shared whole, and
    says so. Exit 0 when shared, 1 when declined or refused, 4 when no credential matches.
    """
    seconds = parse_duration(timeout)
    wallet = env.open()
    pending = wallet.read_request(
        request, verifier_cas=verifier_cas, timeout=seconds, prefer=prefer
    )
    consent = pending.consent.to_dict()
    if dry_run:
        env.emit({"consent": consent, "sent": False}, lambda: consent_text(consent))
        return
    if not yes:
        if not stdin_is_terminal():
            raise UsageError(
                "nothing was sent: pass --yes to share (see what would go with --dry-run)"
            )
        click.echo(consent_text(consent), err=True)
        if not _confirmed(consent):
            wallet.decline_request(pending, timeout=seconds)
            env.emit({"consent": consent, "sent": False}, "Not shared; the verifier was told no.")
            sys.exit(1)
    outcome = wallet.answer_request(pending, timeout=seconds).to_dict()

    def text() -> str:
        done = f"Shared with {safe_text(consent['verifier']['client_id'])}."
        head = consent_text(consent) + "\n\n" if yes else ""
        more = f"\nThe verifier asks you to continue at {safe_text(outcome['redirect_uri'])}"
        return head + done + (more if outcome["redirect_uri"] else "")

    env.emit({"consent": consent, "sent": True, **outcome}, text)


def _claims(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


def _show_request(open_request: Any, qr_target: str | None) -> None:
    link = open_request.link
    try:
        if qr_target:
            write_qr(qr_target, [link])
        elif sys.stderr.isatty():
            write_qr("-", [link])
    except UsageError as exc:  # an unsigned request by value can be too long for one code
        click.echo(f"(no QR code: {safe_text(exc.message)})", err=True)
    click.echo(
        f"Scan the QR code with the learner's wallet, or give them the link:\n{link}", err=True
    )
    click.echo("Waiting for the answer...", err=True)


def _outcome_text(result: dict[str, Any]) -> str:
    lines = [f"verdict: {safe_text(result['verdict'])}"]
    if result["declined"]:
        lines.append(f"  the holder declined ({safe_text(result['declined'])})")
    query = result["query"]
    lines.append(f"  {safe_text(query['status']):12} {query['name']}  {safe_text(query['detail'])}")
    lines.extend(presented_credential_lines(result["credentials"]))
    return "\n".join(lines)


@cli.command(name="request")
@click.option(
    "--type", "type_", metavar="T", help="The credential type: an SD-JWT vct, or a VC type."
)
@click.option(
    "--claims",
    multiple=True,
    metavar="A,B",
    help="Claims to ask for, comma separated: dotted (credentialSubject.name) or JSON Pointers.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dc+sd-jwt", "ldp_vc", "jwt_vc_json"]),
    help="Default: dc+sd-jwt when --type looks like a URL or none is given, else ldp_vc.",
)
@click.option("--purpose", help="Why you ask, shown to the learner.")
@click.option("--name", help="Your name as the learner's wallet shows it (not verified).")
@click.option(
    "--serve",
    "serve_at",
    default="127.0.0.1:0",
    show_default=True,
    metavar="HOST:PORT",
    help="Where to listen (port 0: any free port); a LAN address needs --tls-cert/--tls-key.",
)
@click.option("--tls-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--tls-key", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--unsigned",
    is_flag=True,
    help="An unsigned request (redirect_uri:) instead of one signed by your did:key.",
)
@click.option("--timeout", default="5m", show_default=True, help="How long to wait for the answer.")
@click.option("--max-age", default="5m", show_default=True, help="How fresh the answer must be.")
@click.option("--qr", "qr_target", help="Also write the QR code: FILE.png, FILE.svg, or -.")
@click.option(
    "--no-wallet", is_flag=True, help="Do not use your wallet (its trust list, cache, key)."
)
@json_option
@pass_env
def request_cmd(
    env: Env,
    type_: str | None,
    claims: tuple[str, ...],
    fmt: str | None,
    purpose: str | None,
    name: str | None,
    serve_at: str,
    tls_cert: Path | None,
    tls_key: Path | None,
    unsigned: bool,
    timeout: str,
    max_age: str,
    qr_target: str | None,
    no_wallet: bool,
) -> None:
    """Verifier mode: ask for a credential the standard way (OpenID4VP, DCQL) and judge
    the answer as verify-presentation does (audience = the client id, nonce = the request's).

    Serves the request and its answer endpoint on this machine (loopback) unless --serve
    names another address; shows the request as a QR code and a link; waits for one
    answer. Exit 0 when it is valid, 1 when not (or none came in time).
    """
    from wallet.api import Listen, RequestSpec, Wallet, serve_request

    if fmt is None:
        fmt = RequestSpec.format_for(type_)
    spec = RequestSpec(fmt, type_, _claims(claims), purpose, name)
    listen = Listen.parse(serve_at, tls_cert, tls_key)
    wait_s, age_s = parse_duration(timeout), parse_duration(max_age)
    use_wallet = not no_wallet and Wallet.exists(env.wallet_path)
    wallet = env.open() if use_wallet else None
    outcome = serve_request(
        wallet,
        spec,
        listen,
        timeout=wait_s,
        on_ready=lambda r: _show_request(r, qr_target),
        signed=not unsigned,
        max_age_s=age_s,
    )
    if outcome is None:
        click.echo(f"error: no answer came within {timeout}", err=True)
        sys.exit(1)
    result = outcome.to_dict()
    env.emit(result, lambda: _outcome_text(result))
    if result["verdict"] != "valid":
        sys.exit(1)
