"""The skills portfolio groups skills by framework with the credentials behind them; the
settings screen changes the auto-lock time and the trust list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Button, DataTable, Input, Tree

from tests.ui.conftest import make_app, run, unlock, wallet_with_demo
from wallet.issuer.demo import EMPLOYER
from wallet.ui.detail import DetailScreen
from wallet.ui.modals import Confirm
from wallet.ui.settings import SettingsScreen
from wallet.ui.skills import SkillsScreen


def _labels(node: Any) -> list[str]:
    return [str(child.label) for child in node.children]


def test_skills_are_grouped_by_framework_and_open_their_credentials(tmp_path: Path) -> None:
    wallet, ids = wallet_with_demo(tmp_path / "w")
    wallet.close()

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            await pilot.press("k")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SkillsScreen)
            tree = screen.query_one("#skills", Tree)
            frameworks = _labels(tree.root)
            assert "ESCO" in frameworks
            esco = tree.root.children[frameworks.index("ESCO")]
            skills = _labels(esco)
            assert any(s.startswith("use spreadsheets software") for s in skills)
            spreadsheet = esco.children[
                next(i for i, s in enumerate(skills) if s.startswith("use spreadsheets"))
            ]
            backers = {leaf.data for leaf in spreadsheet.children}
            assert ids["ob3"] in backers
            # SD-JWT skills count too.
            everything = [str(n.label) for f in tree.root.children for n in f.children]
            assert any(s.startswith("optimise inventory") for s in everything)
            leaf = next(leaf for leaf in spreadsheet.children if leaf.data == ids["ob3"])
            screen.post_message(Tree.NodeSelected(leaf))
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.credential_id == ids["ob3"]

    run(flow)


def test_settings_change_the_lock_time_and_the_trust_list(tmp_path: Path) -> None:
    wallet, _ = wallet_with_demo(tmp_path / "w")
    wallet.close()

    async def flow() -> None:
        app = make_app(tmp_path / "w")
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            await pilot.press("ctrl+s")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SettingsScreen)
            screen.query_one("#idle", Input).value = "2"
            screen.query_one("#set-idle", Button).press()
            await pilot.pause()
            assert app.idle_seconds == 120
            screen.query_one("#idle", Input).value = "forever"
            screen.query_one("#set-idle", Button).press()
            await pilot.pause()
            assert app.idle_seconds == 120
            screen.query_one("#trust-id", Input).value = EMPLOYER.did
            screen.query_one("#trust-name", Input).value = EMPLOYER.name
            screen.query_one("#trust-add", Button).press()
            await pilot.pause()
            table = screen.query_one("#trust", DataTable)
            assert table.row_count == 1
            screen.query_one("#trust-id", Input).value = "https://"
            screen.query_one("#trust-add", Button).press()
            await pilot.pause()
            assert table.row_count == 1  # refused, one line of reason, list unchanged
            screen.query_one("#trust-remove", Button).press()
            await pilot.pause()
            assert isinstance(app.screen, Confirm)
            await pilot.press("y")
            await pilot.pause()
            assert table.row_count == 0
            assert app.wallet is not None and app.wallet.trust_list().entries == ()

    run(flow)
