"""Interviewer mode: a fresh nonce to read out, then a presentation from a file, pasted
text or photos of its QR codes, checked offline: verdict, every check, and exactly the
disclosed claims with their values.

Or ask the standard way (OpenID4VP): a request for a credential type and claims, served on
this machine (loopback) through wallet.api.serve_request, shown as a QR code and a link; a
worker waits for the one answer and shows its verdict the same way. Leaving the screen or
asking again stops waiting."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Static, TextArea

from wallet.api import (
    Listen,
    OpenRequest,
    PresentationResult,
    RequestSpec,
    VerifierOutcome,
    new_nonce,
    presentation_bytes,
    qr_matrix,
    serve_request,
    source_bytes,
    verify_presentation,
)
from wallet.errors import WalletError
from wallet.model import Verdict
from wallet.ui.badges import check_badge, markup_safe, plain, verdict_badge
from wallet.ui.modals import Confirm
from wallet.ui.qrview import half_blocks
from wallet.ui.screen import WalletScreen

ASK_TIMEOUT_S = 600.0


def result_renderables(result: dict[str, Any]) -> list[Text]:
    lines = [Text.assemble("Verdict  ", verdict_badge(Verdict(result["verdict"])))]
    for item in result["credentials"]:
        lines.append(Text(""))
        lines.append(
            Text.assemble(
                verdict_badge(Verdict(item["verdict"])),
                "  ",
                plain(item["title"] or "unreadable credential"),
                "  ",
                plain(item["issuer"] or ""),
            )
        )
        for check in item["checks"]:
            lines.append(
                Text.assemble(
                    "  ",
                    check_badge(check["status"]),
                    " ",
                    plain(check["name"]),
                    "  ",
                    plain(check["detail"]),
                )
            )
        for component in item.get("components") or ():
            if component.get("present"):
                lines.append(Text.assemble("  ", Text(component["name"], style="bold")))
                lines.extend(Text.assemble("    ", plain(line)) for line in component["lines"])
        if item["whole_credential"]:
            lines.append(Text("  Shown whole:", style="bold"))
        else:
            lines.append(Text("  Disclosed: " + ", ".join(item["disclosed"]), style="bold"))
        for key, value in (item["claims"] or {}).items():
            if key.startswith("@") or key == "proof":
                continue
            lines.append(Text.assemble("    ", plain(key), ": ", plain(value)))
    return lines


def outcome_renderables(result: dict[str, Any]) -> list[Text]:
    """An OpenID4VP answer's verdict: whether it holds what was asked, then each credential."""
    lines = result_renderables(result)
    query = result["query"]
    head = [
        lines[0],
        Text.assemble("  ", check_badge(query["status"]), " ", plain(query["detail"])),
    ]
    if result["declined"]:
        head.append(Text.assemble("  the learner declined (", plain(result["declined"]), ")"))
    return head + lines[1:]


def untrusted_issuers(checked: PresentationResult) -> list[str]:
    """Issuers of the genuine credentials in ``checked`` that are not trusted yet (Ctrl+T
    offers to trust the first)."""
    return [
        item.credential.issuer.id
        for item in checked.items
        if item.credential is not None
        and item.credential.issuer.id
        and item.report.verdict is Verdict.VALID_UNTRUSTED_ISSUER
    ]


class VerifyScreen(WalletScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+n", "new_nonce", "New nonce"),
        Binding("ctrl+t", "trust", "Trust issuer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.nonce = new_nonce()
        self.result: dict[str, Any] | None = None
        # Issuers of genuine credentials in the last result that are not trusted yet.
        self._untrusted: list[str] = []
        self.asked: OpenRequest | None = None  # the OpenID4VP request being served
        self._stop_asking = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="nonce-line")
            with Horizontal(classes="row"):
                yield Input(placeholder="Your name as the verifier (audience)", id="audience")
                yield Input(
                    placeholder="Presentation file or QR images (space separated)", id="path"
                )
                yield Button("Verify", id="verify", variant="primary")
            yield TextArea(id="pasted", classes="paste")
            yield Button("Verify pasted text", id="verify-pasted")
            yield Static("Or ask the standard way (OpenID4VP):", classes="heading")
            with Horizontal(classes="row"):
                yield Input(
                    placeholder="Type: a vct, or OpenBadgeCredential",
                    id="ask-type",
                )
                yield Input(placeholder="Claims, comma separated", id="ask-claims")
                yield Button("Ask", id="ask")
            yield Static("", id="ask-status")
            yield Static("", id="ask-qr")
            yield Static("", id="result")
        yield Footer()

    def on_mount(self) -> None:
        self._show_nonce()
        self.query_one("#audience", Input).focus()

    def _show_nonce(self) -> None:
        self.query_one("#nonce-line", Static).update(
            Text.assemble("Read this nonce to the learner:  ", Text(self.nonce, style="bold"))
        )

    def action_new_nonce(self) -> None:
        self.nonce = new_nonce()
        self._show_nonce()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "verify":
            names = self.query_one("#path", Input).value.split()
            try:
                sources = [(n, source_bytes(Path(n).expanduser())) for n in names]
            except WalletError as exc:
                self.query_one("#result", Static).update(plain(exc.message))
                return
            self._verify(sources)
        elif event.button.id == "verify-pasted":
            self._verify([("pasted text", self.query_one("#pasted", TextArea).text.encode())])
        elif event.button.id == "ask":
            self._start_asking()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "path":
            self.query_one("#verify", Button).press()

    # -- OpenID4VP ---------------------------------------------------------------------

    def _start_asking(self) -> None:
        type_ = self.query_one("#ask-type", Input).value.strip() or None
        raw = self.query_one("#ask-claims", Input).value
        claims = tuple(c.strip() for c in raw.split(",") if c.strip())
        self._stop_asking.set()  # a request already waiting stops: one at a time
        self._stop_asking = threading.Event()
        self.asked = None
        self.query_one("#ask-qr", Static).update("")
        self.query_one("#result", Static).update("")
        self.query_one("#ask-status", Static).update("Making the request…")
        spec = RequestSpec(RequestSpec.format_for(type_), type_, claims, None, "Interviewer")
        self._ask(spec, self._stop_asking)

    @work(thread=True, group="ask")
    def _ask(self, spec: RequestSpec, stop: threading.Event) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        try:
            outcome = serve_request(
                wallet,
                spec,
                Listen(),
                timeout=ASK_TIMEOUT_S,
                on_ready=lambda r: self.app.call_from_thread(self._asking, r),
                cancel=stop,
            )
        except WalletError as exc:
            self.app.call_from_thread(self._ask_status, exc.message, "red")
            return
        if not stop.is_set():
            self.app.call_from_thread(self._answered, outcome)

    def _ask_status(self, text: str, style: str = "") -> None:
        self.query_one("#ask-status", Static).update(Text(text, style=style))

    def _asking(self, request: OpenRequest) -> None:
        self.asked = request
        try:
            code: Text | str = half_blocks(qr_matrix(request.link))
        except WalletError as exc:
            code = plain(f"(no QR code: {exc.message})")
        self.query_one("#ask-qr", Static).update(code)
        self._ask_status(
            "Waiting for the answer. The learner scans this, or answers the link:\n" + request.link
        )

    def _answered(self, outcome: VerifierOutcome | None) -> None:
        self.query_one("#ask-qr", Static).update("")
        if outcome is None:
            self._ask_status("No answer came in time.", "yellow")
            return
        result = outcome.to_dict()
        self.result = result
        self._untrusted = untrusted_issuers(PresentationResult([i for _, i in outcome.items]))
        self._ask_status("Answered.")
        self.query_one("#result", Static).update(Group(*outcome_renderables(result)))

    def on_unmount(self) -> None:
        self._stop_asking.set()

    @work(thread=True, exclusive=True)
    def _verify(self, sources: list[tuple[str, bytes]]) -> None:
        wallet = self.wallet_app.wallet
        if wallet is None:
            return
        audience = self.app.call_from_thread(lambda: self.query_one("#audience", Input).value)
        try:
            data = presentation_bytes(sources)
            checked = verify_presentation(
                data, wallet.verify_context(), audience=audience.strip(), nonce=self.nonce
            )
        except WalletError as exc:
            self.app.call_from_thread(self.query_one("#result", Static).update, plain(exc.message))
            return
        self.app.call_from_thread(self._show, checked.to_dict(), untrusted_issuers(checked))

    def _show(self, result: dict[str, Any], untrusted: list[str]) -> None:
        self.result = result
        self._untrusted = untrusted
        self.query_one("#result", Static).update(Group(*result_renderables(result)))

    def action_trust(self) -> None:
        """Trust the issuer of a genuine credential whose issuer is not yet trusted."""
        if self.wallet_app.wallet is None or not self._untrusted:
            self.app.notify("No untrusted issuer in this presentation", severity="warning")
            return
        issuer_id = self._untrusted[0]

        def done(yes: bool | None) -> None:
            if yes and self.wallet_app.wallet is not None:
                try:
                    self.wallet_app.wallet.trust_add(issuer_id)
                except WalletError as exc:
                    self.app.notify(markup_safe(exc.message), severity="error")
                    return
                self.app.notify(f"Now trusting {markup_safe(issuer_id)}")

        self.app.push_screen(Confirm(f"Trust the issuer {issuer_id}?", yes="Trust"), done)
