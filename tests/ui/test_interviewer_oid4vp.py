"""Interviewer mode asking the standard way: the app serves an OpenID4VP request on
loopback, shows its QR code and link, and once a learner's wallet answers shows the verdict
and exactly the claims disclosed. Leaving the screen stops serving."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Button, Input, Static

from tests.ui.conftest import FAST, PASS, make_app, run, text_of, unlock, until, wallet_with_demo
from wallet.api import Wallet
from wallet.issuer.demo import COLLEGE
from wallet.ui.verifier import VerifyScreen

VCT = "https://college.demo/credentials/transcript-entry"


async def _ask(pilot: Any, type_: str, claims: str) -> VerifyScreen:
    await unlock(pilot)
    await pilot.press("v")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, VerifyScreen)
    screen.query_one("#ask-type", Input).value = type_
    screen.query_one("#ask-claims", Input).value = claims
    await pilot.click("#ask")
    await until(pilot, lambda: screen.asked is not None, "the request")
    return screen


def _interviewer(tmp_path: Path) -> tuple[Path, Wallet]:
    holder, _ = wallet_with_demo(tmp_path / "holder")
    employer, _ = Wallet.create(tmp_path / "employer", PASS, **FAST)
    employer.trust_add(COLLEGE.did, COLLEGE.name)
    employer.close()
    return tmp_path / "employer", holder


def test_the_interviewer_asks_by_openid4vp_and_sees_the_verdict(tmp_path: Path) -> None:
    employer, holder = _interviewer(tmp_path)

    async def flow() -> None:
        app = make_app(employer)
        async with app.run_test(size=(120, 60)) as pilot:
            screen = await _ask(pilot, VCT, "grade")
            asked = screen.asked
            assert asked is not None
            assert asked.link.startswith("openid4vp://?client_id=decentralized_identifier")
            assert asked.response_uri.startswith("http://127.0.0.1:")
            assert "▀" in text_of(screen.query_one("#ask-qr", Static))  # the QR code
            assert asked.link in text_of(screen.query_one("#ask-status", Static))

            def answer() -> Any:
                pending = holder.read_request(asked.link)
                holder.answer_request(pending)
                return pending.consent

            consent = await asyncio.to_thread(answer)
            assert consent.verified and consent.name == "Interviewer"
            await until(pilot, lambda: screen.result is not None, "the verdict")
            await pilot.pause()
            shown = text_of(screen.query_one("#result", Static))
            assert screen.result is not None and screen.result["verdict"] == "valid"
            (item,) = screen.result["credentials"]
            assert item["disclosed"] == ["/grade"]  # exactly what was asked
            assert "the answer holds what was asked" in shown
            assert "Disclosed: /grade" in shown and "grade: B+" in shown
            assert "given_name" not in shown
            assert text_of(screen.query_one("#ask-qr", Static)) == ""
        holder.close()

    run(flow)


def test_an_answer_for_another_nonce_shows_invalid_and_leaving_stops_serving(
    tmp_path: Path,
) -> None:
    employer, holder = _interviewer(tmp_path)

    async def flow() -> None:
        app = make_app(employer)
        async with app.run_test(size=(120, 60)) as pilot:
            screen = await _ask(pilot, "OpenBadgeCredential", "")
            first = screen.asked
            assert first is not None
            # Asking again replaces the request: the first one stops being served.
            screen.query_one("#ask", Button).press()
            await until(
                pilot, lambda: screen.asked is not None and screen.asked != first, "a new one"
            )
            second = screen.asked
            assert second is not None and second.nonce != first.nonce

            def serving() -> int:
                return sum(1 for w in app.workers if w.group == "ask" and not w.is_finished)

            await until(pilot, lambda: serving() == 1, "the first request to stop")
            with pytest.raises(httpx.HTTPError):
                await asyncio.to_thread(httpx.post, first.response_uri, data={}, timeout=2)

            def stale() -> None:  # an answer made for the first request, sent to the second
                pending = holder.read_request(second.link)
                pending.request = dataclasses.replace(pending.request, nonce=first.nonce)
                holder.answer_request(pending)

            with pytest.raises(Exception, match="not accepted"):
                await asyncio.to_thread(stale)
            await until(pilot, lambda: screen.result is not None, "the verdict")
            assert screen.result is not None and screen.result["verdict"] == "invalid"
            assert "✘" in text_of(screen.query_one("#result", Static))
            await pilot.press("escape")
            await pilot.pause()
            await until(pilot, lambda: serving() == 0, "the worker to end")
        holder.close()
        with pytest.raises(httpx.HTTPError):
            httpx.post(second.response_uri, data={}, timeout=2)

    run(flow)


def test_help_lists_respond_and_a_opens_it(tmp_path: Path) -> None:
    employer, holder = _interviewer(tmp_path)
    holder.close()

    async def flow() -> None:
        from wallet.ui.help import HelpScreen
        from wallet.ui.respond import RespondScreen

        app = make_app(employer)
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = text_of(app.screen.query_one(Static))
            assert "respond to a verifier's request (OpenID4VP" in shown
            assert "ask by OpenID4VP" in shown
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, RespondScreen)

    run(flow)
