"""Import from a path (file or folder, with a file browser), pasted text, a QR image, a URL
or an OpenID4VCI credential offer; a folder imports in a worker with a progress bar and a
result per item; a link is fetched in a worker, asking for a transaction code if needed."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    DataTable,
    DirectoryTree,
    Footer,
    Header,
    Input,
    ProgressBar,
    Static,
    TextArea,
)

from wallet.api import (
    ImportOutcome,
    TxCodeRequest,
    files_in,
    is_offer,
    is_remote,
    source_label,
)
from wallet.errors import LinkOnly, UsageError, WalletError
from wallet.ui.badges import plain, verdict_badge
from wallet.ui.screen import WalletScreen


class ImportScreen(WalletScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+b", "browse", "Browse files"),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self._start = start or Path.cwd()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            with Horizontal(classes="row"):
                yield Input(
                    placeholder="File, folder, QR image, URL or credential offer", id="path"
                )
                yield Button("Import", id="import", variant="primary")
            yield TextArea(id="pasted", classes="paste")
            yield Button("Import pasted text", id="import-pasted")
            yield ProgressBar(id="progress", show_eta=True)
            yield Static("", id="summary")
            yield DataTable(id="results", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results", DataTable).add_columns("Result", "Title", "Source")
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#path", Input).focus()

    def action_browse(self) -> None:
        # Mounted on demand: a directory tree keeps a loader worker running while shown.
        found = self.query("#browser")
        if found:
            found.first().remove()
            return
        browser = DirectoryTree(str(self._start), id="browser")
        self.mount(browser, after=self.query_one(".row"))
        browser.focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._start_path_import()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "import":
            self._start_path_import()
        elif event.button.id == "import-pasted":
            text = self.query_one("#pasted", TextArea).text.strip()
            if text:
                self._import_pasted(text)

    def _start_path_import(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            return
        if is_remote(value):
            self.query_one("#results", DataTable).clear()
            self.query_one("#summary", Static).update(plain(f"Fetching {source_label(value)}…"))
            self._import_link(value)
            return
        try:
            paths = files_in(Path(value).expanduser())
        except WalletError as exc:
            self.query_one("#summary", Static).update(plain(exc.message))
            return
        self.query_one("#results", DataTable).clear()
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=len(paths), progress=0)
        self._import_files(paths)

    @work(thread=True, exclusive=True)
    def _import_files(self, paths: list[Path]) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        counts = {"imported": 0, "duplicates": 0, "refused": 0}
        for path in paths:
            for result in wallet.import_file(path):
                if isinstance(result, LinkOnly):
                    # A QR code of a link, a badge naming its hosted assertion: fetch it.
                    for fetched in self._fetch_link(result.url):
                        self.app.call_from_thread(self._add_result, str(path), fetched, counts)
                    continue
                self.app.call_from_thread(self._add_result, str(path), result, counts)
            self.app.call_from_thread(self.query_one("#progress", ProgressBar).advance, 1)
        self.app.call_from_thread(self._finished, counts)

    @work(thread=True, exclusive=True)
    def _import_pasted(self, text: str) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        counts = {"imported": 0, "duplicates": 0, "refused": 0}
        result: ImportOutcome | WalletError
        try:
            result = wallet.import_bytes(text.encode("utf-8"), source="pasted text")
        except WalletError as exc:
            result = exc
        self.app.call_from_thread(self._add_result, "pasted text", result, counts)
        self.app.call_from_thread(self._finished, counts)

    @work(thread=True, exclusive=True)
    def _import_link(self, link: str) -> None:
        counts = {"imported": 0, "duplicates": 0, "refused": 0}
        for result in self._fetch_link(link):
            self.app.call_from_thread(self._add_result, link, result, counts)
        self.app.call_from_thread(self._finished, counts)

    def _fetch_link(self, link: str) -> list[ImportOutcome | WalletError]:
        """Runs in a worker thread: the network import of one link."""
        wallet = self.wallet_app.wallet
        if wallet is None:
            return []
        progress = lambda url: self.app.call_from_thread(  # noqa: E731
            self.query_one("#summary", Static).update, plain(f"Fetching {url}…")
        )
        try:
            if is_offer(link):
                return list(wallet.import_offer(link, self._ask_tx_code, progress=progress))
            return list(wallet.import_url(link, progress=progress))
        except WalletError as exc:
            return [exc]

    def _ask_tx_code(self, request: TxCodeRequest) -> str:
        """Asks on the app's thread and waits here, in the worker."""
        from wallet.ui.modals import Prompt

        answered = threading.Event()
        box: list[str | None] = [None]

        def got(value: str | None) -> None:
            box[0] = value
            answered.set()

        question = request.question() + ":"
        self.app.call_from_thread(self.app.push_screen, Prompt(question), got)
        answered.wait(timeout=600)
        if not box[0]:
            raise UsageError("no transaction code entered; nothing was imported")
        return box[0]

    def _add_result(
        self, source: str, result: ImportOutcome | WalletError, counts: dict[str, int]
    ) -> None:
        table = self.query_one("#results", DataTable)
        if isinstance(result, WalletError):
            counts["refused"] += 1
            refused = Text("✘ not imported", style="red")
            table.add_row(refused, plain(result.message), plain(source_label(source)))
            return
        if result.duplicate:
            counts["duplicates"] += 1
            badge = Text("already in the wallet", style="dim")
        else:
            counts["imported"] += 1
            badge = verdict_badge(result.report.verdict)
        table.add_row(badge, plain(result.credential.title), plain(source_label(source)))

    def _finished(self, counts: dict[str, int]) -> None:
        text = (
            f"{counts['imported']} imported, {counts['duplicates']} already in the wallet, "
            f"{counts['refused']} not imported"
        )
        self.query_one("#summary", Static).update(text)
        self.app.notify(text)
