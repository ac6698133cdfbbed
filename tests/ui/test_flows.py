"""Every flow a learner and an interviewer need, driven as a person uses the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, SelectionList, Static

from tests.ui.conftest import (
    FAST,
    PASS,
    badge_folder,
    make_app,
    run,
    settle,
    text_of,
    unlock,
    wallet_with_demo,
)
from wallet.api import Wallet, verify_presentation
from wallet.issuer.demo import COLLEGE
from wallet.present import sdjwt as present_sd
from wallet.ui.credentials import CredentialsScreen
from wallet.ui.detail import DetailScreen
from wallet.ui.importer import ImportScreen
from wallet.ui.modals import Confirm, Prompt
from wallet.ui.present import PresentScreen
from wallet.ui.verifier import VerifyScreen

FIVE = {
    "name": "Pharmacy Technician Practicum",
    "grade": "A",
    "credits": 4,
    "term": "Winter 2027",
    "supervisor": "R. Osei",
    "hours": 320,
}
FIVE_CLAIMS = ["/grade", "/credits", "/term", "/supervisor", "/hours"]


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _wallet(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    wallet, ids = wallet_with_demo(tmp_path / "w")
    key = wallet.holder_key("EdDSA")
    five = present_sd.issue(
        FIVE,
        FIVE_CLAIMS,
        COLLEGE.key,
        iss=COLLEGE.did,
        kid=COLLEGE.verification_method,
        holder_jwk=key.public_jwk,
    )
    ids["five"] = wallet.import_bytes(five.encode()).id
    wallet.trust_add(COLLEGE.did, COLLEGE.name)
    wallet.close()
    return tmp_path / "w", ids


def _text(widget: Static) -> str:
    return text_of(widget)


def _rows(app: Any) -> list[str]:
    table = app.screen.query_one("#table", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def test_import_a_folder_with_progress_and_results(tmp_path: Path) -> None:
    wallet, _ = Wallet.create(tmp_path / "w", PASS, **FAST)
    wallet.close()
    folder = tmp_path / "in"
    badge_folder(folder, 3)
    (folder / "junk.json").write_text("{ not json")

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await pilot.press("i")
            assert isinstance(app.screen, ImportScreen)
            app.screen.query_one("#path", Input).value = str(folder)
            await pilot.press("enter")
            await settle(pilot)
            summary = _text(app.screen.query_one("#summary", Static))
            assert summary == "3 imported, 0 already in the wallet, 1 not imported"
            assert app.screen.query_one("#results", DataTable).row_count == 4
            await pilot.press("escape")
            await pilot.pause()
            assert sorted(_rows(app)) == [f"Welding Level {i}" for i in range(3)]

    run(flow)


def test_search_detail_present_verify_and_delete(tmp_path: Path) -> None:
    path, ids = _wallet(tmp_path)
    out = tmp_path / "for-acme.json"

    async def flow() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            screen = app.screen
            assert isinstance(screen, CredentialsScreen)
            assert len(_rows(app)) == 6
            # Search as you type: a skill inside the SD-JWT's claims.
            await pilot.press("slash")
            await pilot.press(*"optimise")
            await pilot.pause()
            assert _rows(app) == ["Supply Chain Analytics (micro-credential)"]
            await pilot.press("escape")
            await pilot.pause()
            assert len(_rows(app)) == 6

            # Detail of the SD-JWT shows its grade and skills, with values.
            app.open_detail(ids["sdjwt"])
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            body = _text(app.screen.query_one("#body", Static))
            assert "B+" in body and "optimise inventory" in body and "forecast demand" in body
            await pilot.press("escape")

            # Interviewer mode first, for the nonce to read out.
            await pilot.press("v")
            await pilot.pause()
            verifier = app.screen
            assert isinstance(verifier, VerifyScreen)
            nonce = verifier.nonce
            await pilot.press("escape")

            # Present two of the five claims.
            app.open_present([ids["five"]])
            await pilot.pause()
            present = app.screen
            assert isinstance(present, PresentScreen)
            claims = present.query_one("#claims-0", SelectionList)
            claims.select("/grade")
            claims.select("/term")
            present.query_one("#audience", Input).value = "Acme Hiring"
            present.query_one("#nonce", Input).value = nonce
            await pilot.press("ctrl+w")
            await pilot.pause()
            assert isinstance(app.screen, Prompt)
            app.screen.query_one("#answer", Input).value = str(out)
            await pilot.press("enter")
            await pilot.pause()
            assert out.exists()
            await pilot.press("escape")

            # The interviewer verifies that file.
            app.push_screen(verifier)
            await pilot.pause()
            verifier.query_one("#audience", Input).value = "Acme Hiring"
            verifier.query_one("#path", Input).value = str(out)
            verifier.query_one("#path", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert verifier.result is not None
            assert verifier.result["verdict"] == "valid"
            (item,) = verifier.result["credentials"]
            assert item["disclosed"] == ["/grade", "/term"]
            shown = _text(verifier.query_one("#result", Static))
            assert "Winter 2027" in shown and "320" not in shown and "R. Osei" not in shown
            await pilot.press("escape")
            await pilot.pause()

            # Delete asks first, and No keeps it.
            assert isinstance(app.screen, CredentialsScreen)
            table = app.screen.query_one("#table", DataTable)
            table.focus()
            table.move_cursor(row=0)
            first = app.screen.selected_id()
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, Confirm)
            await pilot.press("n")
            await pilot.pause()
            assert len(_rows(app)) == 6
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert len(_rows(app)) == 5 and first not in {s.id for s in app.wallet.summaries()}

    run(flow)
    # What the file discloses, read by the API on its own.
    data = json.loads(out.read_text())
    (part,) = [p["data"] for p in data["parts"] if p["format"] == "sd-jwt"]
    disclosures = [_b64(d) for d in part.split("~")[1:-1]]
    assert len(disclosures) == 2
    assert not any(b"supervisor" in d or b"hours" in d for d in disclosures)
    wallet = Wallet.open(path, PASS)
    result = verify_presentation(
        out.read_bytes(),
        wallet.verify_context(),
        audience="Acme Hiring",
        nonce=data.get("nonce", ""),
    )
    wallet.close()
    (item,) = result.to_dict()["credentials"]
    assert item["disclosed"] == ["/grade", "/term"]
    assert set(item["claims"]) >= {"grade", "term"} and "hours" not in item["claims"]


def test_a_credential_exports_as_its_file_and_as_a_baked_badge(tmp_path: Path) -> None:
    path, ids = _wallet(tmp_path)
    badge, original = tmp_path / "badge.png", tmp_path / "original.json"

    async def flow() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            app.open_detail(ids["ob3"])
            await pilot.pause()
            body = _text(app.screen.query_one("#body", Static))
            assert "Validity and status" in body and "Valid from" in body
            for key, target in (("b", badge), ("e", original)):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, Prompt)
                app.screen.query_one("#answer", Input).value = str(target)
                await pilot.press("enter")
                await pilot.pause()
            # The SD-JWT cannot be baked: it says so and writes nothing.
            await pilot.press("escape")
            app.open_detail(ids["sdjwt"])
            await pilot.pause()
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)

    run(flow)
    assert badge.read_bytes().startswith(b"\x89PNG")
    wallet = Wallet.open(path, PASS)
    stored = wallet.get(ids["ob3"])
    assert original.read_bytes() == stored.credential.raw
    again = wallet.import_bytes(badge.read_bytes())
    assert again.duplicate and again.id == ids["ob3"]  # the same credential, baked
    wallet.close()
