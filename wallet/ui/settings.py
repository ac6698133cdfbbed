"""Settings: auto-lock time, passphrase change, backup, and the trust list."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from wallet.errors import WalletError
from wallet.ui.badges import markup_safe, plain
from wallet.ui.modals import Confirm, RecoveryKey
from wallet.ui.screen import WalletScreen


class SettingsScreen(WalletScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Label("Auto-lock after (minutes without use)")
            with Horizontal(classes="row"):
                yield Input(str(round(self.wallet_app.idle_seconds / 60, 2)), id="idle")
                yield Button("Set", id="set-idle")
            yield Label("Change passphrase (every record is re-encrypted)")
            with Horizontal(classes="row"):
                yield Input(password=True, placeholder="New passphrase", id="new")
                yield Input(password=True, placeholder="Again", id="again")
                yield Button("Change", id="change")
            yield Label("Backup (age file; restore with `wallet restore`)")
            with Horizontal(classes="row"):
                yield Input(placeholder="Backup file name", id="backup-path")
                yield Input(password=True, placeholder="Backup passphrase", id="backup-pass")
                yield Button("Back up", id="backup")
            yield Label("Issuers you trust")
            yield DataTable(id="trust", cursor_type="row")
            with Horizontal(classes="row"):
                yield Input(placeholder="Issuer id (did:… or https://…)", id="trust-id")
                yield Input(placeholder="Name", id="trust-name")
                yield Button("Add", id="trust-add")
                yield Button("Remove selected", id="trust-remove")
            yield Static("", id="settings-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#trust", DataTable).add_columns("Issuer", "Name")
        self._load_trust()

    def _load_trust(self) -> None:
        wallet = self.wallet_app.wallet
        table = self.query_one("#trust", DataTable)
        table.clear()
        if wallet is not None:
            for entry in wallet.trust_list().entries:
                table.add_row(plain(entry.id), plain(entry.name), key=entry.id)

    def _say(self, text: str) -> None:
        self.query_one("#settings-status", Static).update(Text(text))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        handlers = {
            "set-idle": self._set_idle,
            "change": self._change,
            "backup": self._backup,
            "trust-add": self._trust_add,
            "trust-remove": self._trust_remove,
        }
        if event.button.id in handlers:
            handlers[event.button.id]()

    def _set_idle(self) -> None:
        try:
            minutes = float(self.query_one("#idle", Input).value)
        except ValueError:
            self._say("Give the minutes as a number.")
            return
        if not 0.5 <= minutes <= 240:
            self._say("Choose between half a minute and four hours.")
            return
        self.wallet_app.idle_seconds = minutes * 60
        if self.wallet_app.wallet is not None:
            self.wallet_app.wallet.set_idle_timeout(minutes * 60 + 60)
        self._say(f"The wallet now locks after {minutes:g} minutes without use.")

    def _change(self) -> None:
        new = self.query_one("#new", Input).value
        if len(new) < 8 or new != self.query_one("#again", Input).value:
            self._say("The new passphrase must be at least 8 characters, typed twice alike.")
            return
        self._say("Re-encrypting every record…")
        self._rekey(new)

    @work(thread=True, exclusive=True)
    def _rekey(self, new: str) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            recovery_key = wallet.change_passphrase(new)
        except WalletError as exc:
            self.app.call_from_thread(self._say, exc.message)
            return
        self.app.call_from_thread(self._changed, recovery_key)

    def _changed(self, recovery_key: str | None) -> None:
        self._say("Passphrase changed; every record was re-encrypted under a new key.")
        if recovery_key:
            self.app.push_screen(RecoveryKey(recovery_key))

    def _backup(self) -> None:
        target = Path(self.query_one("#backup-path", Input).value.strip()).expanduser()
        secret = self.query_one("#backup-pass", Input).value
        if not str(target) or str(target) == "." or len(secret) < 8:
            self._say("Give a file name and a backup passphrase of at least 8 characters.")
            return
        self._say("Writing the backup…")
        self._write_backup(target, secret)

    @work(thread=True, exclusive=True)
    def _write_backup(self, target: Path, secret: str) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            wallet.backup(target, secret)
        except WalletError as exc:
            self.app.call_from_thread(self._say, exc.message)
            return
        self.app.call_from_thread(self._say, f"Backup written to {target}")

    def _trust_add(self) -> None:
        wallet = self.wallet_app.wallet
        issuer = self.query_one("#trust-id", Input).value.strip()
        if wallet is None or not issuer:
            return
        try:
            wallet.trust_add(issuer, self.query_one("#trust-name", Input).value.strip())
        except WalletError as exc:
            self._say(exc.message)
            return
        self._load_trust()
        self._say(f"Now trusting {issuer}")

    def _trust_remove(self) -> None:
        table = self.query_one("#trust", DataTable)
        wallet = self.wallet_app.wallet
        if wallet is None or table.row_count == 0:
            return
        issuer = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

        def done(yes: bool | None) -> None:
            if yes and self.wallet_app.wallet is not None:
                self.wallet_app.wallet.trust_remove(issuer)
                self._load_trust()
                self.app.notify(f"No longer trusting {markup_safe(issuer)}")

        self.app.push_screen(Confirm(f"Stop trusting {issuer}?", yes="Remove"), done)
