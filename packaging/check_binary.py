"""Checks the one-file binary holds what the installed wallet has, with the build venv's
Python (the one that has both the wheel and PyInstaller):

    build/packaging/venv-binary/bin/python packaging/check_binary.py dist/wallet

Missing modules in a frozen app fail only when a learner reaches that screen, so this
compares the archive against the installed packages instead of trusting the analysis:
every wallet module (but the optional web server), every textual.widgets._* module that
Textual loads lazily, every data file of the wallet package, and the native libraries.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

NATIVE = ("zxingcpp/zxingcpp.", "pyrage/pyrage.", "cryptography/hazmat/bindings/_rust")


def archive_names(binary: Path) -> tuple[set[str], set[str]]:
    """(modules in the PYZ, files in the outer archive) of a one-file binary."""
    viewer = Path(sys.executable).parent / "pyi-archive_viewer"
    listing = subprocess.run(
        [str(viewer), "-l", "-r", "-b", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    modules: set[str] = set()
    files: set[str] = set()
    target = files
    for line in listing.splitlines():
        if line.startswith("Contents of"):
            target = modules if "(PYZ)" in line else files
        elif line.startswith(" "):
            target.add(line.strip())
    return modules, files


def expected_modules() -> set[str]:
    import textual.widgets

    import wallet

    names = {"wallet"}
    for info in pkgutil.walk_packages(wallet.__path__, "wallet."):
        if not info.name.startswith("wallet.issuer.server"):
            names.add(info.name)
    for info in pkgutil.iter_modules(textual.widgets.__path__, "textual.widgets."):
        names.add(info.name)
    return names


def expected_data() -> set[str]:
    root = resources.files("wallet")
    found: set[str] = set()

    def walk(node: object, prefix: str) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            name = f"{prefix}/{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name)
            elif not child.name.endswith((".py", ".pyc")):
                found.add(name)

    walk(root, "wallet")
    return found


def main(argv: list[str]) -> int:
    modules, files = archive_names(Path(argv[0]))
    problems = [f"module missing: {m}" for m in sorted(expected_modules() - modules)]
    problems += [f"data file missing: {f}" for f in sorted(expected_data() - files)]
    problems += [f"native library missing: {n}*" for n in NATIVE
                 if not any(f.startswith(n) for f in files)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"binary holds {len(expected_modules())} wallet and textual.widgets modules, "
          f"{len(expected_data())} data files and the native libraries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
