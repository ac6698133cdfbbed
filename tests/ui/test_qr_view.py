"""The full-screen QR view: black on white whatever the theme, parts stepped one by one,
and a plain request to enlarge the terminal when a code does not fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from tests.ui.conftest import run, text_of, wallet_with_demo
from wallet.api import qr_codes, qr_matrix
from wallet.ui.qrview import BLACK_ON_WHITE, QrScreen, half_blocks


class _Host(App[None]):
    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = codes

    def on_mount(self) -> None:
        self.push_screen(QrScreen(self.codes))


def _codes(tmp_path: Path) -> list[str]:
    wallet, ids = wallet_with_demo(tmp_path / "w")
    built = wallet.present(list(ids.values()), [], audience="Acme", nonce="N-1")
    wallet.close()
    codes = qr_codes(built.envelope)
    assert len(codes) >= 2
    return codes


def test_half_blocks_are_black_on_white_and_match_the_matrix() -> None:
    matrix = qr_matrix("LW1:HELLO")
    text = half_blocks(matrix)
    assert str(text.style) == BLACK_ON_WHITE
    lines = text.plain.split("\n")
    assert len(lines) == (len(matrix) + 1) // 2 and {len(line) for line in lines} == {len(matrix)}
    top, bottom = matrix[0], matrix[1]
    expected = "".join(
        "█" if t and b else "▀" if t else "▄" if b else " "
        for t, b in zip(top, bottom, strict=True)
    )
    assert lines[0] == expected


def test_parts_step_and_small_terminals_are_told_to_enlarge(tmp_path: Path) -> None:
    codes = _codes(tmp_path)

    async def flow() -> None:
        app = _Host(codes)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen: Any = app.screen
            assert text_of(screen.query_one("#part")) == f"part 1 of {len(codes)}"
            assert "Enlarge the terminal" in text_of(screen.query_one("#qr"))
            await pilot.press("n")
            assert text_of(screen.query_one("#part")) == f"part 2 of {len(codes)}"
            await pilot.press("b", "b")
            assert text_of(screen.query_one("#part")) == f"part {len(codes)} of {len(codes)}"
        big = _Host(codes[:1])
        async with big.run_test(size=(220, 120)) as pilot:
            await pilot.pause()
            shown = text_of(big.screen.query_one("#qr"))
            assert "Enlarge" not in shown and "█" in shown

    run(flow)
