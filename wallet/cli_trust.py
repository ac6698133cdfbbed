"""wallet trust and wallet cache: the issuers you trust and the documents kept for offline
verification."""

from __future__ import annotations

from pathlib import Path

import click

from wallet.cli import Env, cli, json_option, pass_env, read_file
from wallet.errors import UsageError
from wallet.textsafe import safe_text

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
    added = env.open().trust_import(read_file(file))
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
    kind = env.open().cache_put(url, read_file(file), fetched_at=when)
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
