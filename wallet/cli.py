"""The command line: a thin shell over ``wallet.api``. Its JSON output and exit codes are an API.

Exit codes: 0 success; 1 a verdict other than valid (or an import refused for a bad
signature); 2 usage; 3 wrong passphrase or locked; 4 not found; 5 malformed or unsupported
input; 6 network; 7 store integrity failure; 8 storage I/O error (disk full).
"""

from __future__ import annotations

import os
import shutil
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
            planned.append(("stdin", lambda: _try_read(_read_capped, sys.stdin.buffer, "stdin")))
        elif "://" in source:
            link = LinkOnly(f"{source}: a link", source)
            planned.append((source, lambda e=link: e))  # type: ignore[misc]
        elif (path := Path(source)).is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                planned.append((str(child), lambda c=child: _try_read(_read_file, c)))  # type: ignore[misc]
        elif path.is_file():
            planned.append((str(path), lambda p=path: _try_read(_read_file, p)))  # type: ignore[misc]
        else:
            missing = NotFound(f"{source}: no such file or folder")
            planned.append((source, lambda e=missing: e))  # type: ignore[misc]
    return planned


def _try_read(read: Callable[..., bytes], *args: Any) -> bytes | WalletError:
    try:
        return read(*args)
    except WalletError as exc:
        return exc


def _read_file(path: Path) -> bytes:
    from wallet.api import source_bytes

    return source_bytes(path)


def _read_capped(handle: Any, name: str) -> bytes:
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
        return [{"source": name, "error": exc.message, "code": exc.code, "_exit": exc.exit_code}]
    results: list[dict[str, Any]] = []
    for payload in payloads:
        try:
            outcome = wallet.import_bytes(payload, source=name)
        except LinkOnly as link:
            results.extend(import_link(wallet, name, link.url, tx_code))
            continue
        except WalletError as exc:
            results.append(
                {"source": name, "error": exc.message, "code": exc.code, "_exit": exc.exit_code}
            )
            continue
        results.append({"source": name, **outcome.to_dict()})
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
        data = _read_capped(sys.stdin.buffer, "stdin") if target == "-" else _read_file(path)
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


# -- trust list ---------------------------------------------------------------------------


@cli.group()
def trust() -> None:
    """The issuers you trust (DIDs or https URLs). Unknown issuers are not invalid."""


@trust.command(name="add")
@click.argument("issuer_id")
@click.option("--name", default="", help="A label to show for this issuer.")
@json_option
@pass_env
def trust_add(env: Env, issuer_id: str, name: str) -> None:
    """Trust an issuer by DID or https URL."""
    added = env.open().trust_add(issuer_id, name)
    env.emit({"id": issuer_id, "added": added}, "Added." if added else "Already trusted.")


@trust.command(name="list")
@json_option
@pass_env
def trust_list(env: Env) -> None:
    """List trusted issuers."""
    entries = env.open().trust_list().entries
    env.emit(
        {"issuers": [{"id": e.id, "name": e.name} for e in entries]},
        lambda: (
            "\n".join(f"{safe_text(e.id)}  {safe_text(e.name)}" for e in entries)
            or "The trust list is empty."
        ),
    )


@trust.command(name="remove")
@click.argument("issuer_id")
@json_option
@pass_env
def trust_remove(env: Env, issuer_id: str) -> None:
    """Stop trusting an issuer."""
    env.open().trust_remove(issuer_id)
    env.emit({"id": issuer_id, "removed": True}, "Removed.")


@trust.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@pass_env
def trust_import(env: Env, file: Path) -> None:
    """Import a trust-list file (see README: 'Trust lists')."""
    added = env.open().trust_import(_read_file(file))
    env.emit({"added": added}, f"Added {added} issuer(s).")


# -- cache of issuer documents -----------------------------------------------------------


@cli.group()
def cache() -> None:
    """Documents kept for offline verification: did:web documents, JWKS, status lists."""


@cache.command(name="add")
@click.argument("url")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--fetched-at", help="ISO 8601 time the document was fetched (default: now).")
@json_option
@pass_env
def cache_add(env: Env, url: str, file: Path, fetched_at: str | None) -> None:
    """Keep FILE as the offline copy of URL."""
    from datetime import datetime

    when = None
    if fetched_at:
        try:
            when = datetime.fromisoformat(fetched_at)
        except ValueError:
            raise UsageError(f"--fetched-at {fetched_at!r} is not an ISO 8601 time") from None
        if when.tzinfo is None:
            raise UsageError("--fetched-at needs a time zone, e.g. 2026-01-01T00:00:00+00:00")
    kind = env.open().cache_put(url, _read_file(file), fetched_at=when)
    env.emit(
        {"url": url, "cached": True, "kind": kind.kind, "used_for": kind.use},
        f"Cached {safe_text(url)} as a {safe_text(kind.kind)}: used for {safe_text(kind.use)}",
    )


@cache.command(name="list")
@json_option
@pass_env
def cache_list(env: Env) -> None:
    """List cached documents and when they were fetched."""
    entries = env.open().cache_entries()
    env.emit(
        {
            "documents": [
                {"url": d.url, "fetched_at": d.fetched_at.isoformat(), "bytes": len(d.data)}
                for d in entries
            ]
        },
        lambda: (
            "\n".join(f"{d.fetched_at.isoformat()}  {safe_text(d.url)}" for d in entries)
            or "The cache is empty."
        ),
    )


# -- presentations ------------------------------------------------------------------------

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
        and stdin_is_terminal()
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
            sources.append(("stdin", _read_capped(sys.stdin.buffer, "stdin")))
            continue
        path = Path(name)
        if not path.is_file():
            raise NotFound(f"{name}: no such file")
        sources.append((name, _read_file(path)))
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
    import secrets

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    nonce = f"{code[:4]}-{code[4:]}"
    env.emit({"nonce": nonce}, nonce)


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
from wallet import cli_lifecycle, cli_network, cli_oid4vp  # noqa: E402, F401


def main() -> None:
    cli(prog_name="wallet")
