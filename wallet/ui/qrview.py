"""Full-screen QR codes, one part at a time, drawn with half blocks in explicit black on
white so they scan on a dark theme too."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from wallet.api import qr_matrix, qr_png, qr_svg
from wallet.ui.badges import markup_safe

BLACK_ON_WHITE = "#000000 on #ffffff"


def half_blocks(matrix: list[list[bool]]) -> Text:
    """Two module rows per line: the upper half block shows the top module's colour."""
    rows = [list(r) for r in matrix]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = [
        "".join(
            "█" if t and b else "▀" if t else "▄" if b else " "
            for t, b in zip(top, bottom, strict=True)
        )
        for top, bottom in zip(rows[::2], rows[1::2], strict=True)
    ]
    # Every line, quiet zone included: a scanner needs the white border.
    return Text("\n".join(lines), style=BLACK_ON_WHITE, no_wrap=True)


class QrScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("right,n,space", "step(1)", "Next part"),
        Binding("left,b", "step(-1)", "Previous part"),
        Binding("s", "save('png')", "Save PNG"),
        Binding("g", "save('svg')", "Save SVG"),
    ]

    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = codes
        self.part = 0

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(id="part")
            yield Static(id="qr")
        yield Footer()

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        matrix = qr_matrix(self.codes[self.part])
        need_w, need_h = len(matrix[0]), (len(matrix) + 1) // 2 + 3
        label = f"part {self.part + 1} of {len(self.codes)}" if len(self.codes) > 1 else ""
        if self.size.width < need_w or self.size.height < need_h:
            self.query_one("#qr", Static).update(
                Text(
                    f"Enlarge the terminal to at least {need_w}x{need_h} to show this code "
                    "(or press s to save it as a PNG).",
                    style="yellow",
                )
            )
        else:
            self.query_one("#qr", Static).update(half_blocks(matrix))
        self.query_one("#part", Static).update(label)

    def action_step(self, delta: int) -> None:
        self.part = (self.part + delta) % len(self.codes)
        self._draw()

    def action_save(self, kind: str) -> None:
        render = qr_png if kind == "png" else qr_svg
        stem = "presentation-qr"
        written = []
        for i, code in enumerate(self.codes, 1):
            name = Path(f"{stem}-{i}.{kind}" if len(self.codes) > 1 else f"{stem}.{kind}")
            if name.exists():
                self.app.notify(f"{markup_safe(name)} exists; not overwritten", severity="error")
                return
            name.write_bytes(render(code))
            written.append(str(name))
        self.app.notify("Saved " + markup_safe(", ".join(written)))
