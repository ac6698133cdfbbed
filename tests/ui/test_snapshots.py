"""SVG snapshots of every screen at 80x24 and 120x40, from deterministic data: fixed
dates, a fixed clock, a fixed nonce, and a title holding Rich markup and an ANSI escape
that must show literally. Update with `pytest tests/ui/test_snapshots.py --snapshot-update`
after checking the new pictures by eye."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.conftest import FAST, PASS, make_app, unlock
from wallet import api
from wallet.api import Wallet
from wallet.issuer.demo import BOOTCAMP, COLLEGE, SPREADSHEETS
from wallet.issuer.samples import ob3_credential, sign
from wallet.present import sdjwt as present_sd

SIZES = [(80, 24), (120, 40)]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
HOSTILE_TITLE = "\x1b[31m[bold]Forged[/bold] Diploma"


@pytest.fixture
def fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A wallet at ./w (a path that reads the same in every run) with fixed credentials."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(api, "_now", lambda: NOW)
    monkeypatch.setattr("wallet.ui.verifier.new_nonce", lambda: "K7QF-2M9X")
    wallet, _ = Wallet.create(Path("w"), PASS, **FAST)
    key = wallet.holder_key("EdDSA")
    ids = {}
    docs = [
        ("ob3", COLLEGE, "Data Analysis Fundamentals", (SPREADSHEETS,), 3.0),
        ("hostile", BOOTCAMP, HOSTILE_TITLE, (), None),
    ]
    for label, issuer, title, skills, credits in docs:
        doc = ob3_credential(
            issuer,
            credential_id=label,
            subject_id=key.did,
            subject_name="Alex Learner",
            achievement_name=title,
            description="Cleans and presents tabular data.",
            criteria="Passed a proctored exam.",
            skills=skills,
            credits=credits,
        )
        ids[label] = wallet.import_bytes(json.dumps(sign(doc, issuer)).encode()).id
    sd = present_sd.issue(
        {
            "name": "Supply Chain Analytics",
            "issuer_name": COLLEGE.name,
            "grade": "B+",
            "credits": 2,
            "term": "Fall 2026",
            "skills": ["forecast demand", "optimise inventory"],
        },
        ["grade", "credits", "term", "skills.0", "skills.1"],
        COLLEGE.key,
        iss=COLLEGE.did,
        kid=COLLEGE.verification_method,
        holder_jwk=key.public_jwk,
        iat=1793000000,
    )
    ids["sdjwt"] = wallet.import_bytes(sd.encode()).id
    wallet.trust_add(COLLEGE.did, COLLEGE.name)
    wallet.close()
    return ids


def _then(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        for step in steps:
            await step(pilot)
            await pilot.pause()
        await steady_cursor(pilot)

    return run


async def steady_cursor(pilot: Pilot[Any]) -> None:
    """A blinking cursor is drawn or not depending on when the picture is taken (a busy
    machine took it in the other phase): hold it on."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _open(name: str, ids: dict[str, str]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def step(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        if name == "detail":
            app.open_detail(ids["hostile"])
        elif name == "detail-sdjwt":
            app.open_detail(ids["sdjwt"])
        elif name == "present":
            app.open_present([ids["sdjwt"]])
        else:
            await pilot.press(name)
        await pilot.pause()

    return step


SCREENS = {
    "credentials": (),
    "detail": ("detail",),
    "detail-sdjwt": ("detail-sdjwt",),
    "import": ("i",),
    "present": ("present",),
    "interviewer": ("v",),
    "skills": ("k",),
    "help": ("question_mark",),
    "delete-confirm": ("d",),
    "settings": ("ctrl+s",),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen(
    snap_compare: Any, fixed: dict[str, str], screen: str, size: tuple[int, int]
) -> None:
    steps = [_open(name, fixed) for name in SCREENS[screen]]
    assert snap_compare(make_app(Path("w")), terminal_size=size, run_before=_then(*steps))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_unlock_screen(snap_compare: Any, fixed: dict[str, str], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(Path("w")), terminal_size=size, run_before=steady_cursor)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_create_and_recovery_key_screens(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert snap_compare(make_app(Path("new")), terminal_size=size, run_before=steady_cursor)

    async def show_key(pilot: Pilot[Any]) -> None:
        from wallet.ui.modals import RecoveryKey

        await pilot.app.push_screen(RecoveryKey("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"))
        await steady_cursor(pilot)

    assert snap_compare(make_app(Path("new")), terminal_size=size, run_before=show_key)
