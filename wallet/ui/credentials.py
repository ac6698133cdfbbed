"""The list of credentials: search as you type, sort, verdict badges, an empty state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from wallet.api import CredentialSummary
from wallet.ui.badges import markup_safe, plain, verdict_badge
from wallet.ui.modals import Confirm
from wallet.ui.screen import WalletScreen

# A table of every match would cost a rebuild of 10,000 rows per keystroke; the list
# shows the first matches and says how many more there are.
MAX_ROWS = 100
SORTS = ("issued", "title", "issuer", "verdict")

EMPTY = (
    "No credentials yet.\n\n"
    "Press i to import a credential file, a folder of them, a baked badge image or a "
    "photo of a QR code."
)


class CredentialsScreen(WalletScreen):
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("i", "app.import", "Import"),
        Binding("enter", "open", "Open", show=False),
        Binding("p", "present", "Present"),
        Binding("d", "delete", "Delete"),
        Binding("s", "sort", "Sort"),
        Binding("k", "app.skills", "Skills"),
        Binding("v", "app.verify", "Interviewer"),
        Binding("R", "app.refresh", "Refresh", show=False),
        Binding("a", "app.respond", "Respond to a request", show=False),
        Binding("escape", "clear_search", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._sort = 0
        self._shown: list[CredentialSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search title, issuer, skills…  (/)", id="search")
        yield Static(EMPTY, id="empty")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#table", DataTable)
        table.add_columns("Verdict", "Title", "Issuer", "Issued")
        self.refresh_rows()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        text = self.query_one("#search", Input).value
        everything = wallet.summaries()
        matches = wallet.summaries(text) if text else everything
        key = SORTS[self._sort]
        if key != "issued":
            matches = sorted(matches, key=lambda s: str(getattr(s, key) or "").casefold())
        self._shown = matches[:MAX_ROWS]
        table = self.query_one("#table", DataTable)
        table.clear()
        for s in self._shown:
            table.add_row(
                verdict_badge(s.verdict, short=True),
                plain(s.title),
                plain(s.issuer or "unknown issuer"),
                plain((s.issued or "")[:10]),
                key=s.id,
            )
        nothing = not matches and not text
        self.query_one("#empty", Static).display = nothing
        table.display = not nothing
        more = f" (first {MAX_ROWS} shown; type to narrow)" if len(matches) > MAX_ROWS else ""
        found = f"{len(matches)} of {len(everything)}" if text else f"{len(matches)}"
        self.query_one("#count", Static).update(f"{found} credentials · sorted by {key}{more}")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.refresh_rows()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.wallet_app.open_detail(event.row_key.value)

    def selected_id(self) -> str | None:
        table = self.query_one("#table", DataTable)
        if not self._shown or table.cursor_row < 0 or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row].id

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#table", DataTable).focus()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self.refresh_rows()

    def action_open(self) -> None:
        chosen = self.selected_id()
        if chosen:
            self.wallet_app.open_detail(chosen)

    def action_present(self) -> None:
        chosen = self.selected_id()
        if chosen:
            self.wallet_app.open_present([chosen])

    def action_delete(self) -> None:
        chosen = self.selected_id()
        wallet = self.wallet_app.wallet
        if not chosen or wallet is None:
            return
        title = next(s.title for s in self._shown if s.id == chosen)

        def done(yes: bool | None) -> None:
            if yes and self.wallet_app.wallet is not None:
                self.wallet_app.wallet.delete(chosen)
                self.app.notify(f"Deleted {markup_safe(title)}")
                self.refresh_rows()

        self.app.push_screen(Confirm(f"Delete '{title}' from this wallet?", yes="Delete"), done)
