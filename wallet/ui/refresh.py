"""Refresh: fetch the issuer keys and status lists every credential uses again, keep them
for offline use, and re-verify; shows progress, then what changed and how old each list is."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from wallet.api import RefreshReport, age_text
from wallet.errors import WalletError
from wallet.ui.badges import plain, verdict_badge
from wallet.ui.screen import WalletScreen


class RefreshScreen(WalletScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self._fetched = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Fetching issuer keys and status lists…", id="refresh-status")
        yield ProgressBar(id="progress", total=None, show_eta=False)
        yield DataTable(id="results", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results", DataTable).add_columns("What", "Detail", "Where")
        self._refresh()

    @work(thread=True, exclusive=True)
    def _refresh(self) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            report = wallet.refresh(progress=lambda url: self.app.call_from_thread(self._on, url))
        except WalletError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        self.app.call_from_thread(self._show, report)

    def _on(self, url: str) -> None:
        self._fetched += 1
        self.query_one("#refresh-status", Static).update(
            Text.assemble(f"Fetching ({self._fetched}) ", plain(url))
        )

    def _failed(self, message: str) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#refresh-status", Static).update(Text(message, style="red"))

    def _show(self, report: RefreshReport) -> None:
        self.query_one("#progress", ProgressBar).display = False
        table = self.query_one("#results", DataTable)
        for change in report.verdicts:
            table.add_row(
                verdict_badge(change.after),
                plain(f"{change.title}: was {change.before}"),
                plain(change.id[:8]),
            )
        for url, reason in report.failed:
            table.add_row(Text("✘ not fetched", style="red"), plain(reason), plain(url))
        for age in report.status_lists:
            state = "refreshed" if age.refreshed else "kept (not refreshed)"
            table.add_row(
                Text("status list", style="bold"),
                plain(f"{state}, fetched {age_text(age.age_seconds)}"),
                plain(age.url),
            )
        for url in report.changed:
            table.add_row(Text("changed", style="yellow"), plain("new copy kept"), plain(url))
        summary = (
            f"Fetched {len(report.fetched)} documents for {report.credentials} credentials: "
            f"{len(report.changed)} changed, {len(report.failed)} failed, "
            f"{len(report.verdicts)} verdicts changed"
        )
        self.query_one("#refresh-status", Static).update(summary)
        self.app.notify(summary, severity="warning" if report.failed else "information")
