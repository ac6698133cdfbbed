"""CLI commands that go online: import from a link (a URL or a credential offer, typed or in
a QR image) and `wallet refresh`. The network rules live in wallet.exchange.net."""

from __future__ import annotations

import sys
from typing import Any

import click

from wallet.cli import (
    Env,
    cli,
    error_result,
    imported_result,
    json_option,
    pass_env,
    stdin_is_terminal,
)
from wallet.errors import UsageError, WalletError
from wallet.textsafe import safe_text


def _tx_code_asker(given: str | None) -> Any:
    def ask(request: Any) -> str:
        if given is not None:
            return given
        if not stdin_is_terminal():
            raise UsageError(
                "this offer needs the transaction code the issuer sent you: pass --tx-code CODE"
            )
        answer: str = click.prompt(safe_text(request.question()), err=True)
        return answer

    return ask


def _progress(url: str) -> None:
    if sys.stderr.isatty():
        click.echo(f"fetching {safe_text(url)}", err=True)


def import_link(wallet: Any, name: str, link: str, tx_code: str | None) -> list[dict[str, Any]]:
    """Import what a link points at; one result per credential, or one error."""
    from wallet.api import is_offer

    try:
        if is_offer(link):
            outcomes = wallet.import_offer(link, _tx_code_asker(tx_code), progress=_progress)
        else:
            outcomes = wallet.import_url(link, progress=_progress)
    except WalletError as exc:
        return [error_result(name, exc)]
    return [imported_result(name, outcome) for outcome in outcomes]


def _refresh_text(report: dict[str, Any]) -> str:
    from wallet.api import age_text

    lines = [
        f"Fetched {len(report['fetched'])} documents for {report['credentials']} credentials;"
        f" {len(report['changed'])} changed."
    ]
    lines += [f"  changed: {safe_text(url)}" for url in report["changed"]]
    for failure in report["failed"]:
        lines.append(f"  failed:  {safe_text(failure['url'])}: {safe_text(failure['reason'])}")
    for item in report["status_lists"]:
        state = "refreshed" if item["refreshed"] else "NOT refreshed"
        when = age_text(item["age_seconds"])
        lines.append(f"  status list {safe_text(item['url'])}: {state}, fetched {when}")
    for change in report["verdicts"]:
        lines.append(
            f"  {safe_text(change['id'][:8])} {safe_text(change['title'])}: "
            f"{change['before']} -> {change['after']}"
        )
    if not report["verdicts"]:
        lines.append("No verdict changed.")
    return "\n".join(lines)


@cli.command()
@json_option
@pass_env
def refresh(env: Env) -> None:
    """Fetch again the issuer keys and status lists your credentials use (and the keys of
    trusted issuers), keep them for offline use, and re-verify every credential.

    Reports what changed, each status list's age, and each credential whose verdict
    changed. Exit 0 when every document was fetched, 6 when any fetch failed (what was
    fetched is still kept and used).
    """
    wallet = env.open()
    report = wallet.refresh(progress=_progress).to_dict()
    env.emit(report, lambda: _refresh_text(report))
    if report["failed"]:
        sys.exit(6)
