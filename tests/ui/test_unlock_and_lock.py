"""Create, unlock with a wrong passphrase then a retry, recovery-key unlock, idle lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Button, Input, Static

from tests.ui.conftest import PASS, make_app, run, settle, text_of, wallet_with_demo
from wallet.ui.credentials import CredentialsScreen
from wallet.ui.modals import RecoveryKey
from wallet.ui.unlock import UnlockScreen


async def _type(pilot: object, selector: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.screen.query_one(selector, Input).value = text


def test_first_run_creates_and_shows_the_recovery_key_once(tmp_path: Path) -> None:
    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(80, 24)) as pilot:
            assert isinstance(app.screen, UnlockScreen)
            await _type(pilot, "#passphrase", PASS)
            await _type(pilot, "#confirm", "something else")
            await pilot.click("#go")
            assert "differ" in text_of(app.screen.query_one("#error", Static))
            await _type(pilot, "#confirm", PASS)
            app.screen.query_one("#confirm", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, RecoveryKey)
            key = text_of(app.screen.query_one("#recovery-key", Static))
            assert key.count("-") == 7
            assert app.screen.query_one("#continue", Button).disabled
            await pilot.click("#written")
            await pilot.click("#continue")
            await pilot.pause()
            assert isinstance(app.screen, CredentialsScreen)
            assert app.screen.query_one("#empty", Static).display
            assert app.wallet is not None

    run(flow)
    assert (tmp_path / "w" / "wallet.db").exists()


def test_a_wrong_passphrase_can_be_retried(tmp_path: Path) -> None:
    wallet, _ = wallet_with_demo(tmp_path / "w")
    wallet.close()

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(80, 24)) as pilot:
            await _type(pilot, "#passphrase", "not the passphrase")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, UnlockScreen)
            assert "Wrong passphrase. Try again." in str(
                app.screen.query_one("#error", Static).render()
            )
            assert app.screen.query_one("#passphrase", Input).value == ""
            await _type(pilot, "#passphrase", PASS)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, CredentialsScreen)

    run(flow)


def test_idle_lock_returns_to_unlock_and_drops_the_keys(tmp_path: Path) -> None:
    wallet, _ = wallet_with_demo(tmp_path / "w")
    wallet.close()

    async def flow() -> None:
        now = [1000.0]
        app = make_app(tmp_path / "w", idle_seconds=300, clock=lambda: now[0])
        async with app.run_test(size=(80, 24)) as pilot:
            await _type(pilot, "#passphrase", PASS)
            await pilot.press("enter")
            await settle(pilot)
            opened = app.wallet
            assert isinstance(app.screen, CredentialsScreen) and opened is not None
            now[0] += 299  # still in use
            await asyncio.sleep(0.2)
            assert isinstance(app.screen, CredentialsScreen)
            now[0] += 2
            for _ in range(100):  # no timing asserted: wait (up to 10 s) for the lock
                await asyncio.sleep(0.1)
                if isinstance(app.screen, UnlockScreen):
                    break
            assert isinstance(app.screen, UnlockScreen)
            assert app.wallet is None and opened.store.locked

    run(flow)


def test_recovery_key_sets_a_new_passphrase(tmp_path: Path) -> None:
    from wallet.api import Wallet
    from wallet.store import KdfParams

    wallet, recovery = Wallet.create(
        tmp_path / "w", PASS, kdf=KdfParams.for_tests(), allow_weak=True
    )
    wallet.close()

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.click("#use-recovery")
            await _type(pilot, "#recovery-key", recovery)
            await _type(pilot, "#passphrase", "my new passphrase")
            await _type(pilot, "#confirm", "my new passphrase")
            await pilot.click("#go")
            await settle(pilot)
            assert isinstance(app.screen, CredentialsScreen)

    run(flow)
    Wallet.open(tmp_path / "w", "my new passphrase").close()
