"""kill -9 at random moments loses nothing acknowledged; two writers at once both succeed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.store.conftest import PASSPHRASE, MakeStore
from wallet.store import Store

ROOT = Path(__file__).resolve().parents[2]
WRITER = [sys.executable, "-m", "tests.store.writer"]


def _spawn(path: Path, mode: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [*WRITER, str(path), PASSPHRASE, mode, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def lost_after_kills(path: Path, mode: str, rounds: int, seed: int) -> tuple[set[str], int]:
    """Run the writer, SIGKILL it at a random moment, reopen; return (lost ids, acked count)."""
    rng = random.Random(seed)
    acked: set[str] = set()
    for _ in range(rounds):
        proc = _spawn(path, mode, 10_000)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + rng.uniform(0.05, 0.6)
        os.set_blocking(proc.stdout.fileno(), False)
        while time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        os.set_blocking(proc.stdout.fileno(), True)
        # Every complete line was printed after its write was acknowledged.
        for line in proc.stdout.read().splitlines():
            if len(line.strip()) == 32:
                acked.add(line.strip())
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
        store = Store.open(path, PASSPHRASE)  # opens clean: no IntegrityError
        present = {r.id for r in store.list()}
        store.close()
    return acked - present, len(acked)


def test_kill_9_loses_no_acknowledged_write(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    store.close()
    lost, acked = lost_after_kills(tmp_path / "w", "safe", rounds=12, seed=20261123)
    assert acked > 50  # the harness really saw writes acknowledged
    assert lost == set()


def test_negative_control_harness_detects_loss(make_store: MakeStore, tmp_path: Path) -> None:
    """A writer that acknowledges before committing must be caught losing writes."""
    store, _ = make_store()
    store.close()
    lost, acked = lost_after_kills(tmp_path / "w", "unsafe", rounds=3, seed=7)
    assert acked >= 5
    assert lost, "the harness failed to detect lost acknowledged writes"


def test_two_processes_writing_at_once(make_store: MakeStore, tmp_path: Path) -> None:
    store, _ = make_store()
    store.close()
    procs = [_spawn(tmp_path / "w", "safe", 60) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
    ids = [set(out.split()[1:]) for out, _ in outputs]
    assert len(ids[0]) == len(ids[1]) == 60
    reopened = Store.open(tmp_path / "w", PASSPHRASE)
    assert {r.id for r in reopened.list()} == ids[0] | ids[1]


def test_interleaved_writers_see_each_other(make_store: MakeStore, tmp_path: Path) -> None:
    """An open store notices another process's writes (generation counter) without reopening."""
    a, _ = make_store()
    b = Store.open(tmp_path / "w", PASSPHRASE)
    first = a.put("credential", {"by": "a"})
    assert b.get(first).data == {"by": "a"}
    second = b.put("credential", {"by": "b"})
    assert {r.id for r in a.list()} == {first, second}
    a.delete(second)
    assert [r.id for r in b.list()] == [first]
