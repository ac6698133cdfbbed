"""The app online, against the reference issuer on loopback: an OpenID4VCI offer pasted into
the import screen asks for its transaction code in a modal and imports; a wrong code imports
nothing; Refresh (R) shows progress, then the credential revoked at the issuer as invalid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static

from tests.issuer.server_fixture import RunningIssuer, issuer_server  # noqa: F401
from tests.ui.conftest import FAST, PASS, make_app, run, text_of, unlock, until
from wallet.api import Wallet
from wallet.model import Verdict
from wallet.ui.importer import ImportScreen
from wallet.ui.modals import Prompt
from wallet.ui.refresh import RefreshScreen


async def _offer_with_code(pilot: Any, app: Any, uri: str, code: str) -> None:
    await pilot.press("i")
    assert isinstance(app.screen, ImportScreen)
    app.screen.query_one("#path", Input).value = uri
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, Prompt))
    assert "transaction code" in text_of(app.screen.query_one("Label")).lower()
    app.screen.query_one("#answer", Input).value = code
    await pilot.press("enter")
    await until(pilot, lambda: "imported" in text_of(app.screen.query_one("#summary", Static)))


def test_an_offer_with_a_tx_code_imports_and_a_wrong_code_does_not(
    tmp_path: Path,
    issuer_server: RunningIssuer,  # noqa: F811
) -> None:
    Wallet.create(tmp_path / "w", PASS, **FAST)[0].close()
    wrong_uri, right_code = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert right_code is not None
    wrong_code = "0" * len(right_code) if right_code != "0" * len(right_code) else "1" * 6
    uri, code = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert code is not None

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(100, 30)) as pilot:
            await unlock(pilot)
            await _offer_with_code(pilot, app, wrong_uri, wrong_code)
            summary = text_of(app.screen.query_one("#summary", Static))
            assert summary.startswith("0 imported, 0 already in the wallet, 1 not imported")
            await pilot.press("escape")
            await _offer_with_code(pilot, app, uri, code)
            summary = text_of(app.screen.query_one("#summary", Static))
            assert summary.startswith("1 imported")
            row = app.screen.query_one("#results", DataTable).get_row_at(0)
            assert "Data Analytics Foundations" in str(row[1])
            assert str(row[2]) == f"credential offer from {issuer_server.base_url}"

    run(flow)
    wallet = Wallet.open(tmp_path / "w", PASS)
    [stored] = wallet.list()
    assert stored.credential.format == "sd-jwt"


def test_refresh_shows_a_credential_revoked_at_the_issuer_as_invalid(
    tmp_path: Path,
    issuer_server: RunningIssuer,  # noqa: F811
) -> None:
    wallet = Wallet.create(tmp_path / "w", PASS, **FAST)[0]
    uri, _ = issuer_server.offer("programme_ldp_vc")
    [outcome] = wallet.import_offer(uri, lambda _request: "")
    assert outcome.report.verdict is Verdict.VALID_UNTRUSTED_ISSUER
    [record] = [r for r in issuer_server.issued() if r.kind == "ldp_vc"]
    issuer_server.revoke(record.id)
    wallet.close()

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(120, 30)) as pilot:
            await unlock(pilot)
            await pilot.press("R")
            assert isinstance(app.screen, RefreshScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = text_of(app.screen.query_one("#refresh-status", Static))
            assert "1 verdicts changed" in status and "0 failed" in status
            table = app.screen.query_one("#results", DataTable)
            first = [str(cell) for cell in table.get_row_at(0)]
            assert "invalid" in first[0].lower()
            assert first[2] == outcome.id[:8]

    run(flow)
    reopened = Wallet.open(tmp_path / "w", PASS)
    [stored] = reopened.list()
    assert stored.report is not None and stored.report.verdict is Verdict.INVALID
