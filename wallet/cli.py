"""The command line: a thin shell over ``wallet.api``. Its JSON output and exit codes are an API.

Exit codes: 0 success; 1 a verdict other than valid (or an import refused for a bad
signature); 2 usage; 3 wrong passphrase or locked; 4 not found; 5 malformed or unsupported
input; 6 network; 7 store integrity failure; 8 storage I/O error (disk full).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from wallet import __version__
from wallet.errors import (
    LinkOnly,
    LockedError,
    NotFound,
    UsageError,
    WalletError,
)
from wallet.textsafe import dumps as safe_dumps
from wallet.textsafe import safe_block, safe_text

F = TypeVar("F", bound=Callable[..., Any])

# `delete` refuses a shorter id prefix (unless it is the whole id): one typed character
# must not be enough to remove a credential.
MIN_DELETE_PREFIX = 4


@dataclass
class Env:
    wallet_path: Path
    passphrase_file: Path | None
    as_json: bool
    ignore_damaged: bool
    accept_rollback: bool = False
    _wallet: Any = field(default=None)

    def passphrase(self, prompt: str = "Passphrase", *, confirm: bool = False) -> str:
        return read_secret(
            "WALLET_PASSPHRASE",
            self.passphrase_file,
            prompt=prompt,
            confirm=confirm,
            option="--passphrase-file",
        )

    def open(self) -> Any:
        from wallet.api import Wallet
        from wallet.errors import WrongPassphrase

        if self._wallet is None:
            if not Wallet.exists(self.wallet_path):
                raise NotFound(
                    f"no wallet at {self.wallet_path}: run 'wallet init' (or pass --wallet PATH)"
                )
            # Typed at a prompt, a passphrase gets three tries; from a file or the
            # environment a wrong one fails at once (a script would only repeat it).
            prompted = self.passphrase_file is None and not os.environ.get("WALLET_PASSPHRASE")
            tries = PROMPT_TRIES if prompted else 1
            for attempt in range(1, tries + 1):
                try:
                    self._wallet = Wallet.open(
                        self.wallet_path,
                        self.passphrase(),
                        ignore_damaged=self.ignore_damaged,
                        accept_rollback=self.accept_rollback,
                    )
                    break
                except WrongPassphrase:
                    if attempt == tries:
                        raise
                    left = tries - attempt
                    click.echo(f"Wrong passphrase; {left} more {_tries(left)}.", err=True)
            damaged = self._wallet.damaged if self._wallet is not None else []
            if damaged:
                click.echo(
                    "warning: damaged records skipped: " + ", ".join(safe_text(r) for r in damaged),
                    err=True,
                )
        return self._wallet

    def close(self) -> None:
        if self._wallet is not None:
            self._wallet.close()
            self._wallet = None

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        # Credential data reaches a terminal only through here and fail(): values are made
        # safe where they are put into lines (safe_text), and the whole text once more, so
        # no ESC, C1 or bidi character is ever printed (wallet/textsafe.py).
        if self.as_json:
            click.echo(safe_dumps(data, indent=2))
        else:
            click.echo(safe_block(text() if callable(text) else text))


PROMPT_TRIES = 3


def _tries(n: int) -> str:
    return "try" if n == 1 else "tries"


def read_secret(
    env_name: str,
    path: Path | None,
    *,
    prompt: str,
    confirm: bool = False,
    option: str,
) -> str:
    """A secret from a file (``option``), then the environment, then a prompt."""
    what = prompt.lower()
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise NotFound(
                f"cannot read the {what} file {path} ({option}): {exc.strerror}"
            ) from None
    value = os.environ.get(env_name)
    if value:
        return value
    if not stdin_is_terminal():
        raise LockedError(f"no {what}: set {env_name}, pass {option}, or run in a terminal")
    secret: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return secret


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question on stdin (else --yes is the answer)."""
    return sys.stdin.isatty()


def fail(exc: WalletError) -> NoReturn:
    # Messages quote titles, ids and file names from the input: one safe line.
    click.echo(f"error: {safe_text(exc.message)}", err=True)
    sys.exit(exc.exit_code)


pass_env = click.make_pass_decorator(Env)


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(Env).as_json = True  # type: ignore[union-attr]


def json_option(func: F) -> F:
    """``--json`` after the command name too (``wallet verify X --json``)."""
    return click.option(
        "--json",
        "as_json_local",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print one JSON document on stdout.",
    )(func)


class WalletGroup(click.Group):
    """Turns the wallet's own errors into one stderr line and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WalletError as exc:
            fail(exc)


@click.group(cls=WalletGroup, invoke_without_command=True)
@click.option(
    "--wallet",
    "wallet_path",
    type=click.Path(path_type=Path, file_okay=False),
    help="Wallet folder (default: $WALLET_HOME, else the user data dir).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the passphrase from this file (else $WALLET_PASSPHRASE, else a prompt).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--ignore-damaged",
    is_flag=True,
    help="Open a damaged wallet anyway, skipping (and naming) records that fail integrity checks.",
)
@click.option(
    "--accept-rollback",
    is_flag=True,
    help="Open a wallet that is older than the one last opened on this machine (after you "
    "copied back an old file on purpose); it becomes the new baseline.",
)
@click.version_option(__version__, prog_name="wallet")
@click.pass_context
def cli(
    ctx: click.Context,
    wallet_path: Path | None,
    passphrase_file: Path | None,
    as_json: bool,
    ignore_damaged: bool,
    accept_rollback: bool,
) -> None:
    """Learner Wallet: keep credentials private, verify them offline, show only what you choose.

    \b
    Exit codes: 0 ok, 1 not valid, 2 usage, 3 wrong passphrase/locked,
    4 not found, 5 malformed input, 6 network, 7 store integrity, 8 storage I/O.
    """
    from wallet.paths import default_wallet_path

    ctx.obj = Env(
        wallet_path=(wallet_path or default_wallet_path()).expanduser(),
        passphrase_file=passphrase_file,
        as_json=as_json,
        ignore_damaged=ignore_damaged,
        accept_rollback=accept_rollback,
    )
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        if _interactive() and not as_json:
            _open_app(ctx.obj.wallet_path)
        else:
            click.echo(ctx.get_help())


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("CI") != "true"


def _open_app(wallet_path: Path) -> None:
    from wallet.ui.app import run

    run(wallet_path)


# -- credentials --------------------------------------------------------------------------


def _report_lines(report: Any) -> str:
    from wallet.render import report_lines

    return "\n".join(line[2:] for line in report_lines(report.to_dict()))


Loader = Callable[[], bytes | WalletError]


def plan_sources(sources: tuple[str, ...]) -> list[tuple[str, Loader]]:
    """(name, loader) for each file, each file under a folder, or stdin for '-': known up
    front, so a bulk import can show how far it is. A source that cannot be read loads as
    an error: one bad file in a folder must not stop the good files beside it."""
    planned: list[tuple[str, Loader]] = []
    for source in sources:
        if source == "-":
            planned.append(
                ("stdin", lambda: _try_read(read_capped_input, sys.stdin.buffer, "stdin"))
            )
        elif "://" in source:
            link = LinkOnly(f"{source}: a link", source)
            planned.append((source, lambda e=link: e))  # type: ignore[misc]
        elif (path := Path(source)).is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                planned.append((str(child), lambda c=child: _try_read(read_file, c)))  # type: ignore[misc]
        elif path.is_file():
            planned.append((str(path), lambda p=path: _try_read(read_file, p)))  # type: ignore[misc]
        else:
            missing = NotFound(f"{source}: no such file or folder")
            planned.append((source, lambda e=missing: e))  # type: ignore[misc]
    return planned


def _try_read(read: Callable[..., bytes], *args: Any) -> bytes | WalletError:
    try:
        return read(*args)
    except WalletError as exc:
        return exc


def read_file(path: Path) -> bytes:
    from wallet.api import source_bytes

    return source_bytes(path)


def read_capped_input(handle: Any, name: str) -> bytes:
    from wallet.api import read_capped

    return read_capped(handle, name)


def source_payloads(name: str, data: bytes) -> list[bytes]:
    from wallet.sources import credential_payloads

    return credential_payloads(name, data)


@cli.command(name="import")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--tx-code",
    metavar="CODE",
    help="The transaction code an OpenID4VCI offer asks for (sent to you by the issuer); "
    "asked for on a terminal when not given.",
)
@json_option
@pass_env
def import_(env: Env, sources: tuple[str, ...], tx_code: str | None) -> None:
    """Import credentials from files, folders, '-' (stdin), QR images, https URLs or
    OpenID4VCI credential offers (openid-credential-offer://...).

    Files are verified offline. From a URL or an offer, the credential and the documents
    that verify it (issuer keys, status lists, hosted badge parts) are fetched and all
    checked first; a failed fetch exits 6 and any failed check exits 1, with nothing
    stored. Each is verified; one whose signature is invalid is refused (nothing stored).
    On a terminal a progress bar shows the count, rate and time left; a summary line ends
    the run. Ctrl-C stops after the current item (everything imported so far is kept; a
    rerun skips it as a duplicate) and exits 130.
    Exit 0 when all were imported, 1 when any was refused, 5 when any was unreadable.
    """
    from wallet.cli_progress import Progress, stop_on_interrupt

    wallet = env.open()
    planned = plan_sources(sources)
    results: list[dict[str, Any]] = []
    worst = 0
    progress = Progress(len(planned), enabled=not env.as_json and sys.stderr.isatty())
    with stop_on_interrupt() as stop:
        for name, load in planned:
            if stop.requested:
                break
            for result in _import_one(wallet, name, load(), tx_code):
                results.append(result)
                if "error" in result:
                    worst = max(worst, result.pop("_exit"))
            progress.advance(name)
    progress.finish()

    def text() -> str:
        from wallet.api import source_label

        lines = []
        for r in results:
            source = safe_text(source_label(r["source"]))
            if "error" in r:
                lines.append(f"{source}: error: {safe_text(r['error'])}")
            else:
                dup = " (already in the wallet)" if r["duplicate"] else ""
                head = f"{source}: {r['verdict']:22} {safe_text(r['id'][:8])}"
                lines.append(f"{head}  {safe_text(r['title'])}  [{safe_text(r['format'])}]{dup}")
        return "\n".join(lines)

    summary = _import_summary(results, interrupted=stop.requested, left=len(planned))
    env.emit({"results": results, "summary": summary}, text)
    click.echo(_summary_line(summary), err=True)
    if stop.requested:
        sys.exit(130)
    if worst:
        sys.exit(worst)


def error_result(name: str, exc: WalletError) -> dict[str, Any]:
    """One refused source in ``wallet import``'s results (``_exit`` is taken out for the
    exit code before the results are shown)."""
    return {"source": name, "error": exc.message, "code": exc.code, "_exit": exc.exit_code}


def imported_result(name: str, outcome: Any) -> dict[str, Any]:
    """One imported credential in ``wallet import``'s results."""
    return {"source": name, **outcome.to_dict()}


def _import_one(
    wallet: Any, name: str, data: bytes | WalletError, tx_code: str | None = None
) -> list[dict[str, Any]]:
    """One result per credential in the source (a folder file, an image with QR codes)."""
    from wallet.cli_network import import_link

    try:
        if isinstance(data, WalletError):
            raise data
        payloads = source_payloads(name, data)
    except LinkOnly as link:
        return import_link(wallet, name, link.url, tx_code)
    except WalletError as exc:
        return [error_result(name, exc)]
    results: list[dict[str, Any]] = []
    for payload in payloads:
        try:
            outcome = wallet.import_bytes(payload, source=name)
        except LinkOnly as link:
            results.extend(import_link(wallet, name, link.url, tx_code))
            continue
        except WalletError as exc:
            results.append(error_result(name, exc))
            continue
        results.append(imported_result(name, outcome))
    return results


def _import_summary(
    results: list[dict[str, Any]], *, interrupted: bool, left: int
) -> dict[str, Any]:
    refused = [r for r in results if "error" in r]
    done = len({r["source"] for r in results})
    return {
        "imported": sum(1 for r in results if "error" not in r and not r["duplicate"]),
        "duplicates": sum(1 for r in results if "error" not in r and r["duplicate"]),
        "refused": [{"source": r["source"], "reason": r["error"]} for r in refused],
        "interrupted": interrupted,
        "not_started": max(0, left - done) if interrupted else 0,
    }


def _summary_line(summary: dict[str, Any]) -> str:
    from wallet.api import source_label

    refused = summary["refused"]
    line = (
        f"{summary['imported']} imported, {summary['duplicates']} already in the wallet, "
        f"{len(refused)} refused"
    )
    if refused:
        line += ": " + "; ".join(
            f"{safe_text(source_label(r['source']))} ({safe_text(r['reason'])})" for r in refused
        )
    if summary["interrupted"]:
        line += f"; stopped by Ctrl-C with {summary['not_started']} not started"
    return line


@cli.command(name="list")
@click.option("--search", help="Only credentials whose title, issuer or skills contain TEXT.")
@json_option
@pass_env
def list_(env: Env, search: str | None) -> None:
    """One line per credential: id, verdict, title, issuer."""
    wallet = env.open()
    data = [s.to_dict() for s in wallet.summaries(search)]
    searched = len(wallet.summaries()) if search else len(data)

    def text() -> str:
        if not data and search:
            return f"Nothing matched {search!r} in {searched} credentials."
        if not data:
            return "No credentials yet. Import one with: wallet import FILE"
        return "\n".join(
            f"{safe_text(d['id'][:8])}  {d['verdict']:22} {safe_text(d['title'])}"
            f"  ({safe_text(d['issuer'] or 'unknown issuer')})"
            for d in data
        )

    env.emit({"credentials": data, **({"searched": searched} if search else {})}, text)


@cli.command()
@click.argument("credential_id")
@json_option
@pass_env
def show(env: Env, credential_id: str) -> None:
    """The normalized credential, its micro-credential components and its last report."""
    from wallet.render import credential_detail, credential_json

    wallet = env.open()
    stored = wallet.get(credential_id)
    env.emit(credential_json(stored), lambda: credential_detail(stored))


@cli.command()
@click.argument("target", required=False)
@click.option(
    "--all", "all_", is_flag=True, help="Re-verify every stored credential and keep the reports."
)
@click.option(
    "--offline", is_flag=True, help="Never use the network (verification is always offline today)."
)
@click.option(
    "--no-wallet",
    is_flag=True,
    help="Verify a file without your wallet: no trust list (every issuer is untrusted) and no "
    "cached keys or status lists (what needs them is not checked).",
)
@json_option
@pass_env
def verify(env: Env, target: str | None, all_: bool, offline: bool, no_wallet: bool) -> None:
    """Verify a stored credential (by id) or a credential file; exit 1 unless valid.

    With --all, re-verify every stored credential now (a status list or key cached since
    import counts) and keep the new reports; exit 1 unless every one is valid."""
    from wallet.api import VerifyContext, Wallet, parse_credential, verify_credential
    from wallet.model import Verdict

    del offline  # verification never touches the network; the flag documents intent
    if all_ == (target is not None):
        raise UsageError("give a credential id or file, or --all")
    if target is None:
        _verify_all(env)
        return
    path = Path(target)
    if no_wallet and target != "-" and not path.is_file():
        raise NotFound(
            f"{target}: no such file (--no-wallet verifies a file; a stored credential needs"
            " the wallet)"
        )
    if target == "-" or path.is_file():
        data = read_capped_input(sys.stdin.buffer, "stdin") if target == "-" else read_file(path)
        payload = source_payloads(target, data)[0]
        credential = parse_credential(payload)
        use_wallet = not no_wallet and Wallet.exists(env.wallet_path)
        ctx = env.open().verify_context() if use_wallet else VerifyContext()
        report = verify_credential(credential, ctx)
        result = {
            "source": target,
            "format": credential.format,
            "title": credential.title,
            "issuer": credential.issuer.name or credential.issuer.id,
            **report.to_dict(),
        }
    else:
        stored = env.open().verify(target)
        report = stored.report
        result = {"id": stored.id, **stored.summary(), **report.to_dict()}
    env.emit(result, lambda: f"{safe_text(result['title'])}\n{_report_lines(report)}")
    if report.verdict is not Verdict.VALID:
        sys.exit(1)


def _verify_all(env: Env) -> None:
    from wallet.cli_progress import Progress
    from wallet.model import Verdict

    wallet = env.open()
    progress = Progress(
        len(wallet.summaries()), enabled=not env.as_json and sys.stderr.isatty(), label="Verifying"
    )
    outcomes = wallet.verify_all(lambda done, total: progress.advance(""))
    progress.finish()
    rows = [
        {
            "id": stored.id,
            "title": stored.credential.title,
            "verdict": stored.report.verdict.value,
            "previous": previous.value,
        }
        for stored, previous in outcomes
    ]
    changed = [r for r in rows if r["verdict"] != r["previous"]]

    def text() -> str:
        lines = [
            f"{safe_text(r['id'][:8])}  {r['verdict']:22} {safe_text(r['title'])}"
            + (f"  (was {r['previous']})" if r["verdict"] != r["previous"] else "")
            for r in rows
        ]
        lines.append(f"{len(rows)} verified, {len(changed)} changed")
        return "\n".join(lines)

    env.emit({"results": rows, "verified": len(rows), "changed": len(changed)}, text)
    if any(r["verdict"] != Verdict.VALID.value for r in rows):
        sys.exit(1)


@cli.command()
@click.argument("credential_id")
@click.option(
    "--yes", is_flag=True, help="Do not ask first (required when stdin is not a terminal)."
)
@json_option
@pass_env
def delete(env: Env, credential_id: str, yes: bool) -> None:
    """Remove a credential from the wallet, after asking (the default answer is no).

    Give at least 4 characters of its id (or the whole id)."""
    wallet = env.open()
    if len(credential_id) < MIN_DELETE_PREFIX and credential_id not in {
        s.id for s in wallet.summaries()
    }:
        raise UsageError(
            f"give at least {MIN_DELETE_PREFIX} characters of the id of the credential to delete"
        )
    stored = wallet.get(credential_id)
    if not yes:
        if not stdin_is_terminal():
            raise UsageError("delete asks first: pass --yes when stdin is not a terminal")
        question = (
            f"Delete {safe_text(stored.id[:8])} {safe_text(stored.credential.title)} "
            "from this wallet?"
        )
        if not click.confirm(question, default=False, err=True):
            raise UsageError("nothing deleted")
    wallet.delete(stored.id)
    env.emit(
        {"deleted": stored.id},
        f"Deleted {safe_text(stored.id[:8])} {safe_text(stored.credential.title)}",
    )


# -- demo ---------------------------------------------------------------------------------


@cli.command()
@json_option
@pass_env
def demo(env: Env) -> None:
    """Create (or reopen) a demo wallet with sample credentials and open it in the app.

    Off a terminal (or with --json) it lists them instead."""
    from wallet.issuer import demo as demo_mod

    summary = demo_mod.run_demo()
    env.emit(summary, lambda: demo_mod.describe(summary))
    if _interactive() and not env.as_json:
        click.echo(f"\nOpening the app; the demo passphrase is: {summary['passphrase']}")
        _open_app(Path(summary["wallet"]))


# Commands kept in their own modules register themselves on import.
from wallet import cli_lifecycle, cli_network, cli_oid4vp, cli_present, cli_trust  # noqa: E402, F401


def main() -> None:
    cli(prog_name="wallet")
