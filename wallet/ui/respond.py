"""Respond to a request: paste an OpenID4VP link (or give a QR picture's path), see who is
asking (verified or not), why, and exactly which claims each credential would disclose;
a credential that can only go whole needs its own tick; then share (after a Yes/No that
defaults to No) or decline. Reading, sharing and declining run in workers."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Static

from wallet.api import Consent, PendingAnswer, display_text
from wallet.errors import WalletError
from wallet.ui.badges import markup_safe, plain
from wallet.ui.screen import WalletScreen


def consent_view(consent: Consent) -> Group:
    """The consent, as the learner reads it; every value from the request is plain text."""
    who = consent.name or "(it gives no name)"
    badge = (
        Text("✔ verified", style="bold green")
        if consent.verified
        else Text("✘ NOT VERIFIED", style="bold red")
    )
    parts: list[Text] = [
        Text.assemble(Text("Verifier: ", style="bold"), plain(who), "  ", badge),
        Text.assemble("  ", plain(consent.how)),
        Text.assemble("  client id: ", plain(consent.client_id)),
        Text.assemble("  answer goes to: ", plain(consent.response_uri)),
    ]
    parts.extend(Text.assemble(Text("Purpose: ", style="bold"), plain(p)) for p in consent.purposes)
    parts.append(Text("It would receive:", style="bold underline"))
    for shared in consent.shared:
        parts.append(Text.assemble("• ", plain(shared.title), "  (", plain(shared.issuer), ")"))
        if shared.whole:
            parts.append(
                Text(
                    "    the whole credential would be shared (no selective disclosure)",
                    style="yellow",
                )
            )
            rows = shared.requested
        else:
            rows = shared.disclosed
            if not rows:
                parts.append(Text("    no claim disclosed", style="dim"))
        parts.extend(Text.assemble("    ", plain(p), ": ", plain(v)) for p, v in rows)
        if shared.clear and not shared.whole:
            parts.append(Text("    also shown (signed in the clear):", style="dim"))
            parts.extend(
                Text.assemble("      ", plain(p), ": ", plain(v), style="dim")
                for p, v in shared.clear
            )
    return Group(*parts)


class RespondScreen(WalletScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, request: str = "") -> None:
        super().__init__()
        self._initial = request
        self.pending: PendingAnswer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            with Horizontal(classes="row"):
                yield Input(
                    value=self._initial,
                    placeholder="Request link (openid4vp://…, https://…) or a QR picture's path",
                    id="request",
                )
                yield Button("Read", id="read", variant="primary")
            yield Static("", id="consent")
            yield Checkbox("Share the whole credential(s)", value=False, id="whole")
            with Horizontal(classes="buttons"):
                yield Button("Decline", id="decline", disabled=True)
                yield Button("Share…", id="share", variant="error", disabled=True)
            yield Static("", id="respond-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#whole", Checkbox).display = False
        self.query_one("#request", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._start_read()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "read":
            self._start_read()
        elif event.button.id == "share":
            self._ask_share()
        elif event.button.id == "decline" and self.pending is not None:
            self._set_buttons(False)
            self._decline(self.pending)

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#respond-status", Static).update(Text(text, style=style))

    def _set_buttons(self, enabled: bool) -> None:
        for name in ("#share", "#decline"):
            self.query_one(name, Button).disabled = not enabled

    def _start_read(self) -> None:
        source = self.query_one("#request", Input).value.strip()
        if not source:
            return
        self.pending = None
        self._set_buttons(False)
        self.query_one("#consent", Static).update("")
        self._status("Reading the request…")
        self._read(source)

    @work(thread=True, exclusive=True)
    def _read(self, source: str) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            pending = wallet.read_request(source)
        except WalletError as exc:
            self.app.call_from_thread(self._status, display_text(exc.message), "red")
            return
        self.app.call_from_thread(self._show, pending)

    def _show(self, pending: PendingAnswer) -> None:
        self.pending = pending
        self.query_one("#consent", Static).update(consent_view(pending.consent))
        whole = self.query_one("#whole", Checkbox)
        whole.value = False
        whole.display = pending.consent.needs_confirmation
        self._set_buttons(True)
        self._status("Nothing has been sent. Share, or decline.")

    def _ask_share(self) -> None:
        from wallet.ui.modals import Confirm

        pending = self.pending
        if pending is None:
            return
        if pending.consent.needs_confirmation and not self.query_one("#whole", Checkbox).value:
            self.app.notify(
                "A credential would be shared whole: tick 'Share the whole credential(s)' first",
                severity="warning",
            )
            return
        who = pending.consent.name or pending.consent.client_id
        verified = "" if pending.consent.verified else " (NOT VERIFIED)"

        def answered(yes: bool | None) -> None:
            if yes and self.pending is pending:
                self._set_buttons(False)
                self._status("Sending…")
                self._share(pending)

        self.app.push_screen(Confirm(f"Share this with {who}{verified}?", yes="Share"), answered)

    @work(thread=True, exclusive=True)
    def _share(self, pending: PendingAnswer) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            outcome = wallet.answer_request(pending)
        except WalletError as exc:
            self.app.call_from_thread(self._status, display_text(exc.message), "red")
            return
        done = f"Shared with {pending.consent.name or pending.consent.client_id}."
        if outcome.redirect_uri:
            done += f" The verifier asks you to continue at {outcome.redirect_uri}"
        self.app.call_from_thread(self._finished, done)

    @work(thread=True, exclusive=True)
    def _decline(self, pending: PendingAnswer) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            wallet.decline_request(pending)
        except WalletError as exc:
            self.app.call_from_thread(
                self._status,
                f"Not shared; telling the verifier failed: {display_text(exc.message)}",
                "yellow",
            )
            return
        self.app.call_from_thread(self._finished, "Not shared; the verifier was told no.")

    def _finished(self, message: str) -> None:
        self.pending = None
        self._status(message)
        self.app.notify(markup_safe(message))
