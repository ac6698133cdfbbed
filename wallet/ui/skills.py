"""The learner's skills portfolio: every competency and skill across all credentials,
grouped by framework, each with the credentials that back it."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static, Tree

from wallet.api import Skill
from wallet.ui.badges import plain
from wallet.ui.screen import WalletScreen


class SkillsScreen(WalletScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Gathering skills…", id="skills-status")
        yield Tree[str]("Skills", id="skills")
        yield Footer()

    def on_mount(self) -> None:
        self._gather()

    @work(thread=True, exclusive=True)
    def _gather(self) -> None:
        wallet = self.wallet_app.wallet
        if wallet is not None:
            self.app.call_from_thread(self._show, wallet.skills())

    def _show(self, skills: list[Skill]) -> None:
        tree = self.query_one("#skills", Tree)
        tree.clear()
        tree.root.expand()
        by_framework: dict[str, list[Skill]] = {}
        for skill in skills:
            by_framework.setdefault(skill.framework, []).append(skill)
        for framework in sorted(by_framework, key=str.casefold):
            branch = tree.root.add(plain(framework), expand=True)
            for skill in by_framework[framework]:
                code = f"  [{skill.code}]" if skill.code else ""
                label = Text.assemble(
                    plain(skill.name + code), Text(f"  ({len(skill.credentials)})", style="dim")
                )
                node = branch.add(label, expand=False)
                for credential_id, title in skill.credentials:
                    node.add_leaf(plain(title), data=credential_id)
        self.query_one("#skills-status", Static).update(
            f"{len(skills)} skills across {len(by_framework)} frameworks · Enter opens a credential"
            if skills
            else "No skills yet: import credentials that state competencies or skills."
        )

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data:
            self.wallet_app.open_detail(event.node.data)
