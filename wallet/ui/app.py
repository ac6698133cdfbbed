"""The Learner Wallet terminal app: unlock, credentials, detail, skills, import, present,
interviewer mode and settings, keyboard first, with every slow step in a worker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from wallet.api import Wallet
from wallet.ui.unlock import UnlockScreen

DEFAULT_IDLE_S = 300.0
IDLE_CHECK_S = 1.0

CSS = """
.hidden { display: none; }
.dialog { width: 72; max-width: 100%; height: auto; padding: 1 2; border: round $accent;
          background: $surface; }
Screen { align: center middle; }
CredentialsScreen, DetailScreen, ImportScreen, PresentScreen, VerifyScreen, SkillsScreen,
SettingsScreen, RespondScreen { align: left top; }
Confirm, RecoveryKey, Prompt { align: center middle; }
.buttons { height: auto; align-horizontal: right; }
.buttons Button { margin-left: 1; }
.row { height: auto; }
.row Input { width: 1fr; }
#recovery-key { text-style: bold; color: $warning; padding: 1 0; }
#error { color: $error; height: auto; }
#empty { padding: 2 4; color: $text-muted; }
#count { color: $text-muted; height: 1; }
#table { height: 1fr; }
.paste { height: 5; }
#results { height: 1fr; }
#qr { background: white; color: black; width: auto; height: auto; }
"""


class WalletCommands(Provider):
    """Every action of the app in the command palette (ctrl+p)."""

    ACTIONS = (
        (
            "Import credentials",
            "import",
            "From a file, a folder, pasted text, a QR image, a URL or a credential offer",
        ),
        ("Refresh keys and status lists", "refresh", "Fetch them again and re-verify (online)"),
        ("Respond to a request", "respond", "Answer a verifier's OpenID4VP request (online)"),
        ("Skills portfolio", "skills", "Every skill across your credentials"),
        ("Interviewer mode", "verify", "Check a presentation offline"),
        ("Settings", "settings", "Auto-lock, passphrase, backup, trust list"),
        ("Lock the wallet", "lock", "Drop the keys from memory"),
        ("Help", "help", "Keys and what they do"),
        ("Quit", "quit", "Leave the app"),
    )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self.ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    lambda a=action: self.app.run_action(a),
                    help=help_text,
                )


class WalletApp(App[None]):
    TITLE = "Learner Wallet"
    CSS = CSS
    COMMANDS = App.COMMANDS | {WalletCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+l", "lock", "Lock"),
        Binding("ctrl+s", "settings", "Settings", show=False),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(
        self,
        wallet_path: Path,
        *,
        idle_seconds: float = DEFAULT_IDLE_S,
        create_options: dict[str, Any] | None = None,
        idle_check_seconds: float = IDLE_CHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.wallet_path = wallet_path
        self.wallet: Wallet | None = None
        self.idle_seconds = idle_seconds
        self.create_options = create_options or {}
        self._idle_check = idle_check_seconds
        self._clock = clock
        self._last_activity = clock()

    # -- lifecycle ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(UnlockScreen(create=not Wallet.exists(self.wallet_path)))
        self.set_interval(self._idle_check, self._check_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_activity = self._clock()
        await super().on_event(event)

    def unlocked(self, wallet: Wallet) -> None:
        from wallet.ui.credentials import CredentialsScreen

        self.wallet = wallet
        # The app locks first and says so; the store's own lock stays as a backstop.
        wallet.set_idle_timeout(self.idle_seconds + 60)
        self._last_activity = self._clock()
        self.switch_screen(CredentialsScreen())

    def _check_idle(self) -> None:
        if self.wallet is not None and self._clock() - self._last_activity > self.idle_seconds:
            minutes = self.idle_seconds / 60
            self.action_lock()
            self.notify(f"Locked after {minutes:g} minutes without use", timeout=10)

    def action_lock(self) -> None:
        if self.wallet is None:
            return
        self.wallet.close()
        self.wallet = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(UnlockScreen(create=False))

    def on_unmount(self) -> None:
        if self.wallet is not None:
            self.wallet.close()
            self.wallet = None

    # -- navigation --------------------------------------------------------------------

    def _push_unlocked(self, screen: Screen[Any]) -> None:
        if self.wallet is not None:
            self.push_screen(screen)

    def open_detail(self, credential_id: str) -> None:
        from wallet.ui.detail import DetailScreen

        self._push_unlocked(DetailScreen(credential_id))

    def open_present(self, credential_ids: Iterable[str]) -> None:
        from wallet.ui.present import PresentScreen

        self._push_unlocked(PresentScreen(list(credential_ids)))

    def action_import(self) -> None:
        from wallet.ui.importer import ImportScreen

        self._push_unlocked(ImportScreen())

    def action_refresh(self) -> None:
        from wallet.ui.refresh import RefreshScreen

        self._push_unlocked(RefreshScreen())

    def action_respond(self) -> None:
        from wallet.ui.respond import RespondScreen

        self._push_unlocked(RespondScreen())

    def action_verify(self) -> None:
        from wallet.ui.verifier import VerifyScreen

        self._push_unlocked(VerifyScreen())

    def action_skills(self) -> None:
        from wallet.ui.skills import SkillsScreen

        self._push_unlocked(SkillsScreen())

    def action_settings(self) -> None:
        from wallet.ui.settings import SettingsScreen

        self._push_unlocked(SettingsScreen())

    def action_help(self) -> None:
        from wallet.ui.help import HelpScreen

        self.push_screen(HelpScreen())


def run(wallet_path: Path, **options: Any) -> None:
    WalletApp(wallet_path, **options).run()
