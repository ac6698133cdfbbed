"""One credential, laid out by the six components of the micro-credential framework, then
its claims, its checks one per line, and the raw credential."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Collapsible, Footer, Header, Static

from wallet.api import StoredCredential, baked_badge, components, display_text
from wallet.errors import WalletError
from wallet.ui.badges import check_badge, markup_safe, plain, verdict_badge
from wallet.ui.modals import Prompt
from wallet.ui.screen import WalletScreen

RAW_PREVIEW = 4000


def _section(title: str, lines: list[Text]) -> Group:
    return Group(Text(title, style="bold underline"), *lines, Text(""))


def _age(fetched_at: datetime, now: datetime) -> str:
    days = (now - fetched_at).total_seconds() / 86400
    return "today" if days < 1 else f"{days:.0f} days ago"


def _validity(stored: StoredCredential, cached: dict[str, datetime], now: datetime) -> Group:
    c = stored.credential
    lines = [
        Text.assemble("Valid from   ", plain(c.valid_from or "not stated")),
        Text.assemble("Valid until  ", plain(c.valid_until or "no expiry date")),
    ]
    for ref in c.status:
        fetched = cached.get(ref.list_url.split("#", 1)[0])
        age = f"cached {_age(fetched, now)}" if fetched else "not in the cache: not checked"
        lines.append(
            Text.assemble("Status list  ", plain(f"{ref.type} #{ref.index}  {ref.list_url}"))
        )
        lines.append(Text.assemble("             ", plain(age)))
    if not c.status:
        lines.append(Text("Status list  none (the issuer cannot revoke it)", style="dim"))
    return _section("Validity and status", lines)


def detail_renderables(
    stored: StoredCredential,
    cached: dict[str, datetime] | None = None,
    now: datetime | None = None,
) -> list[Group]:
    """The same view `wallet show` gives, as Rich renderables with literal text."""
    c = stored.credential
    head = [
        Text.assemble("Verdict   ", verdict_badge(stored.report.verdict)),
        Text.assemble("Issuer    ", plain(c.issuer.name or c.issuer.id or "unknown issuer")),
        Text.assemble("Issued    ", plain(c.issued or "not stated")),
        Text.assemble("Expires   ", plain(c.valid_until or "no expiry date")),
        Text.assemble("Format    ", plain(c.format)),
    ]
    if c.subject.name or c.subject.id:
        head.append(Text.assemble("Holder    ", plain(c.subject.name or c.subject.id)))
    sections = [_section(display_text(c.title), head)]
    for comp in components(c, stored.report):
        lines = [plain(part) for line in comp.lines for part in line.splitlines()] or [
            Text("not stated by the issuer", style="dim")
        ]
        sections.append(_section(comp.name, lines))
    sections.append(_validity(stored, cached or {}, now or datetime.now(UTC)))
    if c.subject.claims:
        sections.append(
            _section(
                "Claims",
                [
                    Text.assemble(plain(path), ": ", plain(value))
                    for path, value in sorted(c.subject.claims)
                ],
            )
        )
    if c.disclosable:
        sections.append(_section("Selectively disclosable", [plain(", ".join(c.disclosable))]))
    checks = [
        Text.assemble(check_badge(ch.status.value), " ", plain(ch.name), "  ", plain(ch.detail))
        for ch in stored.report.checks
    ]
    sections.append(_section(f"Checks ({stored.report.verified_at or 'at import'})", checks))
    return sections


class DetailScreen(WalletScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "export", "Export file"),
        Binding("b", "export_badge", "Baked badge"),
        Binding("p", "present", "Present"),
        Binding("r", "reverify", "Re-verify"),
        Binding("t", "trust", "Trust issuer"),
    ]

    def __init__(self, credential_id: str) -> None:
        super().__init__()
        self.credential_id = credential_id

    def _stored(self) -> StoredCredential:
        wallet = self.wallet_app.wallet
        assert wallet is not None
        return wallet.get(self.credential_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(id="body")
            with Collapsible(title="Raw credential", collapsed=True):
                yield Static(id="raw")
        yield Footer()

    def on_mount(self) -> None:
        self._show(self._stored())

    def _show(self, stored: StoredCredential) -> None:
        wallet = self.wallet_app.wallet
        cached = {d.url: d.fetched_at for d in wallet.cache_entries()} if wallet else {}
        self.query_one("#body", Static).update(Group(*detail_renderables(stored, cached)))
        raw = stored.credential.raw.decode("utf-8", "replace")
        more = f"\n… ({len(raw) - RAW_PREVIEW} more characters)" if len(raw) > RAW_PREVIEW else ""
        self.query_one("#raw", Static).update(plain(raw[:RAW_PREVIEW] + more))

    def action_present(self) -> None:
        self.wallet_app.open_present([self.credential_id])

    def action_reverify(self) -> None:
        wallet = self.wallet_app.wallet
        if wallet is not None:
            self._show(wallet.verify(self.credential_id))
            self.app.notify("Verified again with the current trust list and cache")

    def action_export(self) -> None:
        stored = self._stored()
        suffix = ".json" if stored.credential.raw.lstrip().startswith(b"{") else ".txt"
        if stored.credential.raw.startswith(b"\x89PNG"):
            suffix = ".png"

        def save(answer: str | None) -> None:
            if not answer:
                return
            target = Path(answer).expanduser()
            if target.exists():
                self.app.notify(
                    f"{markup_safe(target)} exists; choose a new name", severity="error"
                )
                return
            target.write_bytes(stored.credential.raw)
            self.app.notify(f"Saved the original credential to {markup_safe(target)}")

        self.app.push_screen(Prompt("Save the original credential as", f"credential{suffix}"), save)

    def action_export_badge(self) -> None:
        stored = self._stored()
        if baked_badge(stored.credential) is None:
            self.app.notify(
                "Only Open Badges can be baked into an image; export the file instead",
                severity="warning",
            )
            return

        def save(answer: str | None) -> None:
            if not answer:
                return
            target = Path(answer).expanduser()
            kind = "svg" if target.suffix.lower() == ".svg" else "png"
            data = baked_badge(stored.credential, kind)
            if target.exists() or data is None:
                self.app.notify(f"{markup_safe(target)} exists; pick a new name", severity="error")
                return
            target.write_bytes(data)
            self.app.notify(f"Saved a baked {kind.upper()} badge to {markup_safe(target)}")

        self.app.push_screen(Prompt("Save the baked badge as (.png or .svg)", "badge.png"), save)

    def action_trust(self) -> None:
        from wallet.ui.modals import Confirm

        wallet = self.wallet_app.wallet
        issuer = self._stored().credential.issuer
        if wallet is None or not issuer.id:
            return
        label = issuer.name or issuer.id

        def done(yes: bool | None) -> None:
            if not yes or self.wallet_app.wallet is None:
                return
            try:
                self.wallet_app.wallet.trust_add(issuer.id or "", issuer.name or "")
            except WalletError as exc:
                self.app.notify(markup_safe(exc.message), severity="error")
                return
            self.app.notify(f"Now trusting {markup_safe(label)}")
            self.action_reverify()

        self.app.push_screen(
            Confirm(f"Trust '{label}' ({issuer.id}) as an issuer?", yes="Trust"), done
        )
