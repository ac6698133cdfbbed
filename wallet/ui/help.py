"""`?`: what each screen's keys do."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Everywhere", "?", "this help"),
    ("", "ctrl+p", "command palette: every action by name"),
    ("", "ctrl+l", "lock the wallet now"),
    ("", "ctrl+q", "quit"),
    ("", "escape", "back"),
    ("Credentials", "/", "search title, issuer, skills"),
    ("", "enter", "open the credential"),
    ("", "i", "import"),
    ("", "p", "present the credential"),
    ("", "d", "delete (asks first)"),
    ("", "s", "sort by issued, title, issuer, verdict"),
    ("", "k", "skills portfolio"),
    ("", "v", "interviewer mode"),
    ("", "R", "refresh keys and status lists (online)"),
    ("", "a", "respond to a verifier's request (OpenID4VP link or QR picture)"),
    ("Credential", "e", "export the original file"),
    ("", "r", "verify again"),
    ("", "t", "trust its issuer (asks first)"),
    ("Present", "ctrl+r", "preview what the employer sees"),
    ("", "ctrl+w", "save the presentation file"),
    ("", "ctrl+o", "show QR codes (n/b to step, s PNG, g SVG)"),
    ("Interviewer", "ctrl+n", "new nonce"),
    ("", "ctrl+t", "trust a genuine credential's issuer (asks first)"),
    ("", "Ask", "ask by OpenID4VP: a request served here, its QR code, the verdict"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        table = Table("Where", "Key", "Does", box=None, padding=(0, 2))
        for where, key, does in KEYS:
            table.add_row(where, key, does)
        with VerticalScroll(classes="dialog"):
            yield Static(table)
