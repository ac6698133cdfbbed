"""Shared set-up for the app's pilot tests: a wallet folder per test, cheap KDF."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.widgets import Input

from wallet.api import Wallet
from wallet.issuer.demo import COLLEGE, sample_credentials
from wallet.issuer.samples import ob3_credential, sign
from wallet.store import KdfParams
from wallet.ui.app import WalletApp

PASS = "correct horse battery staple"
FAST = {"kdf": KdfParams.for_tests(), "allow_weak": True}


def text_of(widget: Any) -> str:
    """What a Static shows, as plain text (its content rendered by Rich)."""
    import io

    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text().rstrip("\n")


def make_app(path: Path, **options: Any) -> WalletApp:
    return WalletApp(path, create_options=FAST, idle_check_seconds=0.05, **options)


def run(coro: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(coro())


def wallet_with_demo(path: Path) -> tuple[Wallet, dict[str, str]]:
    """A wallet holding the five demo credentials, bound to its own holder key."""
    wallet, _ = Wallet.create(path, PASS, **FAST)
    key = wallet.holder_key("EdDSA")
    labels = ["ob3", "sdjwt", "vcjwt", "expired", "ob2"]
    ids = {
        label: wallet.import_bytes(data, source=source).id
        for label, (source, data) in zip(
            labels, sample_credentials(key.did, key.public_jwk), strict=True
        )
    }
    return wallet, ids


def badge_folder(folder: Path, n: int, holder: str = "did:example:alex") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        doc = ob3_credential(
            COLLEGE,
            credential_id=f"ui-{i}",
            subject_id=holder,
            subject_name="Alex",
            achievement_name=f"Welding Level {i}",
            description="d",
            criteria="c",
        )
        path = folder / f"badge-{i}.json"
        path.write_text(json.dumps(sign(doc, COLLEGE)))
        out.append(path)
    return out


async def settle(pilot: Any) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def unlock(pilot: Any) -> None:
    """Type the test passphrase on the unlock screen and wait for the credential list."""
    pilot.app.screen.query_one("#passphrase", Input).value = PASS
    await pilot.press("enter")
    await settle(pilot)


async def until(pilot: Any, done: Callable[[], object], what: str = "the app to get there") -> None:
    """Pause until ``done()`` is true; a test that would hang fails instead."""
    for _ in range(400):
        if done():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"gave up waiting for {what}")
