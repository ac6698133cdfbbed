"""Runs the wallet's terminal app under a pseudo-terminal, the way a learner's terminal would.

    python3 pty_app.py [--passphrase P --expect TEXT] [--runs N] -- WALLET-COMMAND...

Waits until the app has drawn the unlock screen, optionally types the passphrase and waits
for TEXT (say, a credential's title), then presses ctrl+q and checks the app exits 0.
Prints one line per run with the time from start to the unlock screen; with --runs N it
also prints the median (the figure the packaging notes quote). Standard library only, so
it can drive a one-file binary or a zipapp without any Python environment of their own.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

UNLOCK_TEXT = "Unlock your wallet"
CREATE_TEXT = "Create your wallet"
QUIT_KEY = b"\x11"  # ctrl+q, the app's Quit binding
ROWS, COLS = 40, 120

# Escape sequences removed before looking for text: CSI, OSC, and two-byte ESC sequences.
ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class AppFailed(Exception):
    pass


def _spawn(argv: list[str]) -> tuple[int, int]:
    env = dict(os.environ)
    # The CLI opens the app only on a terminal and never under CI=true; this *is* a terminal.
    env.pop("CI", None)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = str(COLS), str(ROWS)
    pid, fd = pty.fork()
    if pid == 0:  # child: the slave side is already stdin/stdout/stderr
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    return pid, fd


class Screen:
    """Everything the app wrote so far, and a way to wait for some text in it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.raw = b""
        self.eof = False

    def text(self) -> str:
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            self.eof = True
        self.raw += chunk

    def wait_for(self, *needles: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.eof:
            text = self.text()
            for needle in needles:
                if needle in text:
                    return needle
            self.pump(0.05)
        tail = self.text()[-1500:]
        raise AppFailed(f"did not see {' or '.join(map(repr, needles))}; screen tail:\n{tail}")


def _wait_exit(pid: int, screen: Screen, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        screen.pump(0.05)  # keep draining, or the app blocks writing its last frame
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AppFailed(f"still running {timeout:.0f} s after ctrl+q; killed")


def run_once(argv: list[str], passphrase: str | None, expect: str | None, timeout: float) -> float:
    start = time.monotonic()
    pid, fd = _spawn(argv)
    screen = Screen(fd)
    try:
        seen = screen.wait_for(UNLOCK_TEXT, CREATE_TEXT, timeout=timeout)
        to_unlock = time.monotonic() - start
        if seen != UNLOCK_TEXT:
            raise AppFailed(f"the app offered {seen!r}: the wallet folder has no wallet")
        if passphrase is not None:
            time.sleep(0.3)  # let the input take focus before typing into it
            os.write(fd, passphrase.encode() + b"\r")
            if expect:
                screen.wait_for(expect, timeout=timeout)
        os.write(fd, QUIT_KEY)
        code = _wait_exit(pid, screen, timeout)
    except BaseException:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        raise
    finally:
        os.close(fd)
    if code != 0:
        raise AppFailed(f"the app exited {code} after ctrl+q; screen tail:\n{screen.text()[-1500:]}")
    return to_unlock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passphrase", help="type this at the unlock screen")
    parser.add_argument("--expect", help="after unlocking, wait for this text")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("argv", nargs="+", help="the wallet command, after --")
    args = parser.parse_args()
    times = []
    try:
        for i in range(args.runs):
            t = run_once(args.argv, args.passphrase, args.expect, args.timeout)
            times.append(t)
            what = f", unlocked, saw {args.expect!r}" if args.expect else ""
            print(f"run {i + 1}: unlock screen after {t:.2f} s{what}, ctrl+q exited 0")
    except AppFailed as exc:
        print(f"app check failed: {exc}", file=sys.stderr)
        return 1
    if args.runs > 1:
        print(f"median start-up to the unlock screen: {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
