"""Progress for long CLI runs (a bar with count, rate and time left on a terminal) and a
Ctrl-C that stops after the current item instead of in the middle of it."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import click

from wallet.textsafe import safe_text


class Progress:
    def __init__(self, total: int, *, enabled: bool, label: str = "Importing") -> None:
        self._started = time.monotonic()
        self._done = 0
        self._bar: Any = None
        if enabled and total > 1:
            self._bar = click.progressbar(
                length=total,
                label=label,
                file=sys.stderr,
                show_pos=True,
                show_eta=True,
                item_show_func=self._rate,
            )
            self._bar.__enter__()

    def _rate(self, name: str | None) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        shown = safe_text(name or "")[-40:]
        return f"{self._done / elapsed:.1f}/s  {shown}"

    def advance(self, name: str) -> None:
        self._done += 1
        if self._bar is not None:
            self._bar.update(1, current_item=name)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@dataclass
class StopRequest:
    requested: bool = False


@contextmanager
def stop_on_interrupt() -> Iterator[StopRequest]:
    """The first Ctrl-C asks the loop to stop after its current item; a second one
    interrupts at once (the store's transactions roll back whatever was half done)."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True
        click.echo("\nstopping after the current item (Ctrl-C again to stop now)", err=True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
