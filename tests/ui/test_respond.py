"""The app's "Respond to a request" flow against a verifier on loopback: the consent shows
who asks (verified or not) and exactly what would be disclosed; nothing is sent before
Share and a Yes; a credential that goes whole needs its own tick; Decline tells the
verifier no; a request nothing matches says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.widgets import Button, Checkbox, Input, Static

from tests.oid4vp.servers import Asking, asking
from tests.ui.conftest import (
    FAST,
    PASS,
    make_app,
    run,
    settle,
    text_of,
    unlock,
    wallet_with_demo,
)
from wallet.api import RequestSpec, Wallet
from wallet.issuer.demo import COLLEGE
from wallet.ui.modals import Confirm
from wallet.ui.respond import RespondScreen

VCT = "https://college.demo/credentials/transcript-entry"


def _wallets(tmp_path: Path) -> tuple[Path, Wallet]:
    holder, _ = wallet_with_demo(tmp_path / "holder")
    holder.close()
    employer, _ = Wallet.create(tmp_path / "employer", PASS, **FAST)
    employer.trust_add(COLLEGE.did, COLLEGE.name)
    return tmp_path / "holder", employer


@asynccontextmanager
async def _responding(holder: Path, asked: Asking) -> AsyncIterator[tuple[Any, Any, RespondScreen]]:
    """The app, unlocked, on the Respond screen with ``asked``'s link read: (app, pilot,
    screen)."""
    app = make_app(holder)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pilot.app.action_respond()
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, RespondScreen)
        screen.query_one("#request", Input).value = asked.request.link
        await pilot.click("#read")
        await settle(pilot)
        yield app, pilot, screen


def test_share_after_reading_the_consent(tmp_path: Path) -> None:
    holder, employer = _wallets(tmp_path)
    spec = RequestSpec("dc+sd-jwt", VCT, ("grade",), "Check the grade", "Acme Hiring")

    async def flow() -> None:
        with asking(employer, spec) as asked:
            async with _responding(holder, asked) as (app, pilot, screen):
                consent = text_of(screen.query_one("#consent", Static))
                assert "Acme Hiring  ✔ verified" in consent
                assert "Purpose: Check the grade" in consent
                assert "/grade: B+" in consent
                assert "/given_name" not in consent  # not asked, not disclosed
                assert not screen.query_one("#whole", Checkbox).display
                assert "Nothing has been sent" in text_of(
                    screen.query_one("#respond-status", Static)
                )
                await pilot.click("#share")
                await pilot.pause()
                assert isinstance(app.screen, Confirm)
                await pilot.press("y")
                await settle(pilot)
                assert "Shared with Acme Hiring" in text_of(
                    screen.query_one("#respond-status", Static)
                )
            outcome = asked.outcome()
        assert outcome is not None and outcome.verdict.value == "valid"
        assert outcome.items[0][1].disclosed == ["/grade"]

    run(flow)
    employer.close()


def test_a_whole_credential_needs_its_tick_and_decline_says_no(tmp_path: Path) -> None:
    holder, employer = _wallets(tmp_path)
    spec = RequestSpec("ldp_vc", "OpenBadgeCredential", ("credentialSubject.achievement.name",))

    async def flow() -> None:
        with asking(employer, spec) as asked:
            async with _responding(holder, asked) as (app, pilot, screen):
                consent = text_of(screen.query_one("#consent", Static))
                assert "the whole credential would be shared" in consent
                assert screen.query_one("#whole", Checkbox).display
                await pilot.click("#share")  # not ticked: nothing happens but a warning
                await pilot.pause()
                assert app.screen is screen
                assert asked.result == {}
                await pilot.click("#decline")
                await settle(pilot)
                assert "the verifier was told no" in text_of(
                    screen.query_one("#respond-status", Static)
                )
            outcome = asked.outcome()
        assert outcome is not None and outcome.declined == "access_denied"

        with asking(employer, spec) as asked:  # control: ticked, then shared
            async with _responding(holder, asked) as (app, pilot, screen):
                screen.query_one("#whole", Checkbox).value = True
                await pilot.click("#share")
                await pilot.pause()
                await pilot.press("y")
                await settle(pilot)
            outcome = asked.outcome()
        assert outcome is not None and outcome.verdict.value == "valid"

    run(flow)
    employer.close()


def test_no_matching_credential_is_said_plainly(tmp_path: Path) -> None:
    holder, employer = _wallets(tmp_path)
    spec = RequestSpec("dc+sd-jwt", "https://pid.example/identity", ("family_name",))

    async def flow() -> None:
        with asking(employer, spec) as asked:
            async with _responding(holder, asked) as (_, _, screen):
                status = text_of(screen.query_one("#respond-status", Static))
                assert "you have no credential that matches this request" in status
                assert screen.query_one("#share", Button).disabled

    run(flow)
    employer.close()
