"""Install a JavaScript peer (a package.json and its script) with npm into an ignored
folder, once per package.json. Used by the bench's Digital Bazaar peer and by the
OpenID4VP interop tests. No npm, no node or no registry: the reason, never an exception."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

STAMP = ".installed-package.json"


def install(
    source: Path,
    target: Path,
    *,
    files: Sequence[str] = ("package.json", "peer.mjs"),
    timeout_s: int = 300,
    npm_args: Sequence[str] = (),
) -> str | None:
    """Copy ``files`` from ``source`` to ``target`` and npm-install there; None when ready,
    else why the peer cannot run."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        return f"{'npm' if npm is None else 'node'} is not installed"
    target.mkdir(exist_ok=True)
    for name in files:
        wanted = (source / name).read_bytes()
        if not (target / name).exists() or (target / name).read_bytes() != wanted:
            shutil.copyfile(source / name, target / name)
    stamp = target / "node_modules" / STAMP
    package = (source / "package.json").read_bytes()
    if stamp.exists() and stamp.read_bytes() == package:
        return None
    try:
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *npm_args],
            cwd=target,
            check=True,
            capture_output=True,
            timeout=timeout_s,
        )
    except subprocess.CalledProcessError as exc:
        tail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"npm install failed: {tail[0][:160]}"
    except subprocess.TimeoutExpired:
        return f"npm install took longer than {timeout_s} s"
    stamp.write_bytes(package)
    return None
