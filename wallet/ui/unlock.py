"""Unlock (passphrase or recovery key) and first-run creation. The KDF runs in a worker
thread, so the screen shows "Unlocking…" instead of freezing."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from wallet.api import Wallet
from wallet.errors import WalletError
from wallet.ui.modals import RecoveryKey
from wallet.ui.screen import WalletScreen

MIN_PASSPHRASE = 8


class UnlockScreen(WalletScreen):
    """Unlocks an existing wallet, or creates one when the folder has none."""

    def __init__(self, create: bool) -> None:
        super().__init__()
        self._create = create
        self._recovery = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="unlock"):
            yield Label("Create your wallet" if self._create else "Unlock your wallet", id="title")
            yield Static(str(self.wallet_app.wallet_path), id="where")
            yield Input(placeholder="Recovery key", id="recovery-key", classes="hidden")
            yield Input(password=True, placeholder="Passphrase", id="passphrase")
            yield Input(
                password=True,
                placeholder="Passphrase again",
                id="confirm",
                classes="" if self._create else "hidden",
            )
            yield Static("", id="error")
            yield Button("Create" if self._create else "Unlock", id="go", variant="primary")
            if not self._create:
                yield Button("Forgot it? Use the recovery key", id="use-recovery")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def _say(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._go()
        elif event.button.id == "use-recovery":
            self._recovery = True
            self.query_one("#recovery-key", Input).remove_class("hidden")
            self.query_one("#confirm", Input).remove_class("hidden")
            self.query_one("#passphrase", Input).placeholder = "New passphrase"
            self.query_one("#go", Button).label = "Set new passphrase and unlock"
            event.button.display = False
            self.query_one("#recovery-key", Input).focus()

    def _go(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        confirm = self.query_one("#confirm", Input).value
        if self._create or self._recovery:
            if len(passphrase) < MIN_PASSPHRASE:
                self._say(f"The passphrase must be at least {MIN_PASSPHRASE} characters.")
                return
            if passphrase != confirm:
                self._say("The two passphrases differ.")
                return
        self._say("Creating…" if self._create else "Unlocking…")
        self.query_one("#go", Button).disabled = True
        recovery = self.query_one("#recovery-key", Input).value if self._recovery else None
        self._open(self.wallet_app.wallet_path, passphrase, recovery)

    @work(thread=True, exclusive=True)
    def _open(self, path: Path, passphrase: str, recovery_key: str | None) -> None:
        new_key: str | None = None
        try:
            if self._create:
                wallet, new_key = Wallet.create(path, passphrase, **self.wallet_app.create_options)
            elif recovery_key is not None:
                wallet = Wallet.recover(path, recovery_key, passphrase)
            else:
                wallet = Wallet.open(path, passphrase)
        except WalletError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        self.app.call_from_thread(self._opened, wallet, new_key)

    def _failed(self, message: str) -> None:
        self._say(f"{message[:1].upper()}{message[1:]}. Try again.")
        self.query_one("#go", Button).disabled = False
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()

    def _opened(self, wallet: Wallet, recovery_key: str | None) -> None:
        if recovery_key:
            self.app.push_screen(
                RecoveryKey(recovery_key), lambda _: self.wallet_app.unlocked(wallet)
            )
        else:
            self.wallet_app.unlocked(wallet)
