"""Modal dialogs: a confirmation that defaults to No, the recovery key shown once, and a
one-line text prompt."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from wallet.ui.badges import plain


class Confirm(ModalScreen[bool]):
    """Yes / No, with No focused: Enter on its own never deletes or shares anything."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self._question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._question), id="question")
            with Horizontal(classes="buttons"):
                yield Button("No", id="no", variant="primary")
                yield Button(self._yes, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class RecoveryKey(ModalScreen[None]):
    """The recovery key, shown once; Continue stays disabled until the learner says they
    wrote it down."""

    def __init__(self, recovery_key: str) -> None:
        super().__init__()
        self._key = recovery_key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Your recovery key (shown once)")
            yield Static(self._key, id="recovery-key")
            yield Static(
                "Write it on paper and keep it away from this computer. With it you can "
                "set a new passphrase if you forget yours."
            )
            yield Checkbox("I have written it down", id="written")
            yield Button("Continue", id="continue", variant="primary", disabled=True)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#continue", Button).disabled = not event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "continue":
            self.dismiss(None)


class Prompt(ModalScreen[str | None]):
    """One line of text (a file name, an issuer name); Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._question)
            yield Input(value=self._value, id="answer")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one("#answer", Input).value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
