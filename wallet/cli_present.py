"""wallet present, verify-presentation and challenge: selective disclosure bound to a
verifier's nonce and audience, and verifier mode offline."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from wallet import cli as base
from wallet.cli import Env, cli, json_option, pass_env, read_capped_input, read_file
from wallet.errors import NotFound, UsageError
from wallet.textsafe import safe_text

TERMINAL_QR_COLUMNS = 80
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """One duration syntax for every option: '90' or '90s' seconds, '5m', '1h', '1d'."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in _DURATION_UNITS else "s"
    number = value[:-1] if value and value[-1] in _DURATION_UNITS else value
    if number.startswith("-") and number[1:].isdigit():
        raise UsageError(f"{text!r}: a duration must be more than zero")
    if not number.isascii() or not number.isdigit():
        raise UsageError(f"{text!r} is not a duration: use 90, 90s, 5m, 1h or 1d")
    if int(number) == 0:
        raise UsageError(f"{text!r}: a duration must be more than zero")
    return int(number) * _DURATION_UNITS[unit]


def write_qr(target: str, payloads: list[str]) -> list[str]:
    from wallet.api import qr_png, qr_svg, qr_terminal

    if target == "-":
        for i, payload in enumerate(payloads, 1):
            if len(payloads) > 1:
                click.echo(f"QR {i} of {len(payloads)}:", err=True)
            click.echo(qr_terminal(payload), err=True)
        return ["-"]
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UsageError("--qr takes a .png or .svg file name, or - for the terminal")
    render = qr_png if suffix == ".png" else qr_svg
    names = (
        [path]
        if len(payloads) == 1
        else [path.with_name(f"{path.stem}-{i}{suffix}") for i in range(1, len(payloads) + 1)]
    )
    for name, payload in zip(names, payloads, strict=True):
        name.write_bytes(render(payload))
    return [str(n) for n in names]


@cli.command()
@click.argument("credential_ids", nargs=-1, required=True)
@click.option(
    "--disclose",
    "disclose",
    multiple=True,
    metavar="PATH",
    help="A claim to show, as a JSON Pointer (/degree/type, /nationalities/0, "
    "/https:~1~1claims.example~1gpa) or dotted where unambiguous (degree.type); "
    "ID:PATH picks one credential. Repeat for more.",
)
@click.option("--audience", required=True, help="Who the presentation is for (the verifier).")
@click.option("--nonce", required=True, help="The verifier's challenge (see 'wallet challenge').")
@click.option(
    "--expires", "expires", help="How long it stays valid, e.g. 10m, 1h (default: no expiry)."
)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--qr", "qr_target", help="Also write QR code(s): FILE.png, FILE.svg, or - (terminal)."
)
@click.option("--yes", is_flag=True, help="Do not ask before showing whole credentials.")
@json_option
@pass_env
def present(
    env: Env,
    credential_ids: tuple[str, ...],
    disclose: tuple[str, ...],
    audience: str,
    nonce: str,
    expires: str | None,
    out: Path,
    qr_target: str | None,
    yes: bool,
) -> None:
    """Make a presentation of credentials for one verifier, showing only the chosen claims."""
    from wallet.api import qr_codes, qr_codes_fitting, qr_version, whole_credential_notes

    wallet = env.open()
    expires_in = parse_duration(expires) if expires else None
    selections = wallet.selections(credential_ids, disclose)
    notes = whole_credential_notes(selections)
    for note in notes:
        click.echo(f"note: {safe_text(note)}", err=True)
    unbound = wallet.unbound_warnings(selections)
    for warning in unbound:
        click.echo(f"warning: {safe_text(warning)}", err=True)
    notes = [*notes, *unbound]
    if (
        notes
        and not yes
        and base.stdin_is_terminal()
        and not click.confirm("Go on?", default=False, err=True)
    ):
        raise UsageError("nothing written")
    built = wallet.present(
        credential_ids, disclose, audience=audience, nonce=nonce, expires_in=expires_in
    )
    if out.exists():
        raise UsageError(f"{out} exists; choose a new file name")
    codes: list[str] = []
    if qr_target == "-":
        # Half blocks take one column per module: split into codes the terminal can show.
        columns = shutil.get_terminal_size((TERMINAL_QR_COLUMNS, 24)).columns
        codes = qr_codes_fitting(built.envelope, min(columns, TERMINAL_QR_COLUMNS))
    elif qr_target:
        codes = qr_codes(built.envelope)
    out.write_bytes(built.envelope)
    written = write_qr(qr_target, codes) if qr_target else []
    disclosed = {
        s.credential.title: (list(s.paths) if s.credential.disclosable else "whole credential")
        for s in selections
    }
    env.emit(
        {
            "out": str(out),
            "bytes": len(built.envelope),
            "qr": written,
            "qr_codes": len(codes),
            "qr_versions": [qr_version(c) for c in codes],
            "qr_characters": [len(c) for c in codes],
            "notes": list(built.notes),
            "warnings": unbound,
            "disclosed": disclosed,
        },
        lambda: (
            f"Wrote {safe_text(out)} ({len(built.envelope)} bytes)"
            + (f"; {len(codes)} QR code(s): {safe_text(', '.join(written))}" if codes else "")
        ),
    )


def _presentation_bytes(inputs: tuple[str, ...]) -> bytes:
    """The presentation file, from files, pasted text ('-') or QR images in any order."""
    from wallet.api import presentation_bytes

    sources = []
    for name in inputs:
        if name == "-":
            sources.append(("stdin", read_capped_input(sys.stdin.buffer, "stdin")))
            continue
        path = Path(name)
        if not path.is_file():
            raise NotFound(f"{name}: no such file")
        sources.append((name, read_file(path)))
    return presentation_bytes(sources)


@cli.command(name="verify-presentation")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--audience", required=True, help="Your own name as the verifier: it must match.")
@click.option("--nonce", required=True, help="The challenge you gave: it must match.")
@click.option(
    "--max-age",
    default="5m",
    show_default=True,
    help="How long a presentation stays fresh: 90, 90s, 5m, 1h.",
)
@click.option("--no-wallet", is_flag=True, help="Do not use your wallet's trust list and cache.")
@json_option
@pass_env
def verify_presentation(
    env: Env, inputs: tuple[str, ...], audience: str, nonce: str, max_age: str, no_wallet: bool
) -> None:
    """Verifier mode: check a presentation (file, '-' text, QR images) offline; exit 0 if valid."""
    from wallet.api import VerifyContext, Wallet
    from wallet.api import verify_presentation as verify_envelope
    from wallet.model import Verdict

    data = _presentation_bytes(inputs)
    use_wallet = not no_wallet and Wallet.exists(env.wallet_path)
    ctx = env.open().verify_context() if use_wallet else VerifyContext()
    result = verify_envelope(
        data, ctx, audience=audience, nonce=nonce, max_age_s=parse_duration(max_age)
    )
    summary = result.to_dict()

    def text() -> str:
        lines = [f"verdict: {summary['verdict']}"]
        lines.extend(presented_credential_lines(summary["credentials"]))
        return "\n".join(lines)

    env.emit(summary, text)
    if result.verdict is not Verdict.VALID:
        sys.exit(1)


def presented_credential_lines(items: list[dict[str, Any]]) -> list[str]:
    """The verifier's view of each presented credential: title and issuer, the checks,
    then what was disclosed. Shared by verify-presentation and `wallet request`."""
    from wallet.render import report_lines

    lines: list[str] = []
    for item in items:
        lines.append("")
        title = safe_text(item["title"] or "(unreadable credential)")
        lines.append(f"{title}  ({safe_text(item['issuer'] or 'unknown issuer')})")
        lines.extend(report_lines(item))
        lines.extend(_presented_lines(item))
    return lines


def _presented_lines(item: dict[str, Any]) -> list[str]:
    """What the verifier is shown of one presented credential: what was disclosed (an
    SD-JWT's claims with their values, dates as dates) and what it states, by component."""
    from wallet.render import claim_rows

    lines = []
    if item["whole_credential"]:
        lines.append("  disclosed: the whole credential")
    else:
        disclosed = item["disclosed"]
        rows = claim_rows(item["claims"] or {})

        def chosen(path: str) -> bool:
            return any(path == d or path.startswith(d + "/") for d in disclosed)

        shown = [r for r in rows if chosen(r[0])]
        lines.append("  disclosed claims:" + ("" if shown else " none"))
        lines.extend(f"    {safe_text(path)}: {safe_text(value)}" for path, value in shown)
        clear = [r for r in rows if not chosen(r[0])]
        if clear:
            lines.append("  signed in the clear:")
            lines.extend(f"    {safe_text(path)}: {safe_text(value)}" for path, value in clear)
    achievement = item.get("achievement")
    if achievement and achievement != item["title"]:
        lines.append(f"  achievement: {safe_text(achievement)}")
    for comp in item.get("components", ()):
        if comp["present"]:
            lines.append(f"  {safe_text(comp['name'])}")
            lines.extend(f"    {safe_text(line)}" for line in comp["lines"])
    return lines


@cli.command()
@json_option
@pass_env
def challenge(env: Env) -> None:
    """Print a fresh short nonce for the learner to use in their presentation."""
    from wallet.api import new_nonce

    nonce = new_nonce()
    env.emit({"nonce": nonce}, nonce)
