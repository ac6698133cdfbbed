"""Verdicts in words and colour, and credential text made safe for Rich."""

from __future__ import annotations

from rich.text import Text

from wallet.api import display_text
from wallet.model import Verdict

# Words a learner or interviewer understands, and a colour that is not the only signal.
VERDICT_WORDS: dict[Verdict, tuple[str, str]] = {
    Verdict.VALID: ("✔ valid", "bold green"),
    Verdict.VALID_UNTRUSTED_ISSUER: ("✔ genuine, issuer not trusted", "yellow"),
    Verdict.UNBOUND: ("◐ genuine, not bound to presenter", "magenta"),
    Verdict.UNVERIFIABLE: ("? could not be checked", "cyan"),
    Verdict.INVALID: ("✘ invalid", "bold red"),
}
CHECK_WORDS = {
    "passed": ("passed", "green"),
    "failed": ("failed", "bold red"),
    "warning": ("warning", "yellow"),
    "not_checked": ("not checked", "cyan"),
}


# For the list, where an 80-column terminal must still show title and issuer.
SHORT_WORDS: dict[Verdict, str] = {
    Verdict.VALID: "✔ valid",
    Verdict.VALID_UNTRUSTED_ISSUER: "✔ untrusted issuer",
    Verdict.UNBOUND: "◐ unbound",
    Verdict.UNVERIFIABLE: "? unchecked",
    Verdict.INVALID: "✘ invalid",
}


def verdict_badge(verdict: Verdict, *, short: bool = False) -> Text:
    words, style = VERDICT_WORDS.get(verdict, (verdict.value, ""))
    return Text(SHORT_WORDS.get(verdict, words) if short else words, style=style)


def check_badge(status: str) -> Text:
    words, style = CHECK_WORDS.get(status, (status, ""))
    return Text(f"{words:11}", style=style)


def plain(value: object) -> Text:
    """Credential text as a literal: no Rich markup is read from it and control characters
    are shown as escapes, so a title cannot restyle or repaint the screen."""
    return Text(display_text("" if value is None else value))


def markup_safe(value: object) -> str:
    """Credential text for a place that reads Rich markup (notifications, labels)."""
    from rich.markup import escape

    return escape(display_text("" if value is None else value))
