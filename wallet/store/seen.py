"""The last generation of each wallet seen on this machine, kept outside the wallet file.

An attacker (or a sync tool) who swaps ``wallet.db`` for an older copy leaves a file
that is consistent in itself: every MAC still matches. Only a record kept elsewhere can
tell that it went back in time. The limit: whoever can roll back this folder too can
hide it.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from wallet.paths import state_dir

_STORE_ID = re.compile(r"[0-9a-f]{32}")


def _file(store_id: str, folder: Path | None) -> Path | None:
    if not _STORE_ID.fullmatch(store_id):
        return None  # never build a path from an unexpected id
    return (folder or state_dir()) / "seen" / store_id


def last_seen(store_id: str, folder: Path | None = None) -> int | None:
    path = _file(store_id, folder)
    if path is None:
        return None
    try:
        text = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def remember(
    store_id: str, generation: int, folder: Path | None = None, *, force: bool = False
) -> None:
    """Record ``generation`` (never lowering it unless ``force``). Best effort: a read-only
    state folder must not stop the wallet from working."""
    path = _file(store_id, folder)
    if path is None:
        return
    if not force and (last_seen(store_id, folder) or 0) >= generation:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(str(generation), "ascii")
        os.replace(tmp, path)
