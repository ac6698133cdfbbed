"""Present: tick the claims to disclose (whole credentials need an explicit yes, off by
default), give the verifier's audience and nonce, preview exactly what they will see, then
save the file or show it as QR codes."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from wallet.api import (
    Built,
    StoredCredential,
    disclosable_claims,
    display_text,
    verify_presentation,
)
from wallet.errors import WalletError
from wallet.ui.badges import markup_safe, plain
from wallet.ui.screen import WalletScreen


class PresentScreen(WalletScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "preview", "Preview"),
        Binding("ctrl+w", "save", "Save file"),
        Binding("ctrl+o", "qr", "QR codes"),
    ]

    def __init__(self, credential_ids: list[str]) -> None:
        super().__init__()
        self.credential_ids = credential_ids
        self.built: Built | None = None

    def _chosen(self) -> list[StoredCredential]:
        wallet = self.wallet_app.wallet
        assert wallet is not None
        return [wallet.get(i) for i in self.credential_ids]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            for index, stored in enumerate(self._chosen()):
                c = stored.credential
                yield Label(plain(c.title), classes="credential-title")
                claims = disclosable_claims(c)
                if claims:
                    yield SelectionList[str](
                        *(
                            Selection(
                                Text.assemble(plain(pointer), "  ", plain(value)), pointer, False
                            )
                            for pointer, value in claims
                        ),
                        id=f"claims-{index}",
                    )
                else:
                    yield Static(
                        Text(
                            "This credential can only be shared whole: the employer sees"
                            " all of it.",
                            style="yellow",
                        )
                    )
                    yield Checkbox("Share it whole", value=False, id=f"whole-{index}")
            with Horizontal(classes="row"):
                yield Input(placeholder="Audience: the verifier's name", id="audience")
                yield Input(placeholder="Nonce they gave you", id="nonce")
            with Horizontal(classes="buttons"):
                yield Button("Preview", id="preview")
                yield Button("Save file…", id="save", variant="primary")
                yield Button("QR codes", id="qr")
            yield Static("", id="preview-body")
        yield Footer()

    def disclose(self) -> list[str]:
        chosen: list[str] = []
        for index, stored in enumerate(self._chosen()):
            lists = self.query(f"#claims-{index}")
            if lists:
                picked = lists.first(SelectionList).selected
                chosen.extend(f"{stored.id}:{pointer}" for pointer in picked)
        return chosen

    def _included_ids(self) -> list[str] | None:
        """The credentials to present, or None when one shown whole was not confirmed."""
        ids = []
        for index, stored in enumerate(self._chosen()):
            boxes = self.query(f"#whole-{index}")
            if boxes and not boxes.first(Checkbox).value:
                self.app.notify(
                    f"'{markup_safe(stored.credential.title)}' would be shared whole: tick "
                    "'Share it whole' or go back and leave it out",
                    severity="warning",
                )
                return None
            ids.append(stored.id)
        return ids

    def _build(self) -> Built | None:
        audience = self.query_one("#audience", Input).value.strip()
        nonce = self.query_one("#nonce", Input).value.strip()
        ids = self._included_ids()
        wallet = self.wallet_app.wallet
        if ids is None or wallet is None:
            return None
        if not audience or not nonce:
            self.app.notify("Give the verifier's audience and nonce", severity="warning")
            return None
        try:
            self.built = wallet.present(ids, self.disclose(), audience=audience, nonce=nonce)
        except WalletError as exc:
            self.app.notify(markup_safe(exc.message), severity="error")
            return None
        return self.built

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"preview": self.action_preview, "save": self.action_save, "qr": self.action_qr}
        if event.button.id in actions:
            actions[event.button.id]()

    def action_preview(self) -> None:
        built = self._build()
        wallet = self.wallet_app.wallet
        if built is None or wallet is None:
            return
        audience = self.query_one("#audience", Input).value.strip()
        nonce = self.query_one("#nonce", Input).value.strip()
        result = verify_presentation(
            built.envelope, wallet.verify_context(), audience=audience, nonce=nonce
        ).to_dict()
        parts: list[Text] = [Text("What the employer will see", style="bold underline")]
        for item in result["credentials"]:
            parts.append(Text.assemble("• ", plain(item["title"]), "  ", plain(item["issuer"])))
            if item["whole_credential"]:
                parts.append(Text("    the whole credential", style="yellow"))
            else:
                for key, value in (item["claims"] or {}).items():
                    parts.append(Text.assemble("    ", plain(key), ": ", plain(value)))
        parts.extend(Text(display_text(n), style="yellow") for n in built.notes)
        self.query_one("#preview-body", Static).update(Group(*parts))

    def action_save(self) -> None:
        from wallet.ui.modals import Prompt

        if self._build() is None:
            return

        def save(answer: str | None) -> None:
            if answer and self.built is not None:
                self._write(Path(answer).expanduser(), self.built.envelope)

        self.app.push_screen(Prompt("Save the presentation as", "presentation.json"), save)

    def _write(self, target: Path, data: bytes) -> None:
        if target.exists():
            self.app.notify(f"{markup_safe(target)} exists; choose a new name", severity="error")
            return
        target.write_bytes(data)
        self.app.notify(f"Saved {len(data)} bytes to {markup_safe(target)}")

    def action_qr(self) -> None:
        if self._build() is None or self.built is None:
            return
        self._make_qr(self.built.envelope)

    @work(thread=True, exclusive=True)
    def _make_qr(self, envelope: bytes) -> None:
        from wallet.api import qr_codes

        codes = qr_codes(envelope)
        self.app.call_from_thread(self._show_qr, codes)

    def _show_qr(self, codes: list[str]) -> None:
        from wallet.ui.qrview import QrScreen

        self.app.push_screen(QrScreen(codes))
