"""Checks a built wheel and sdist against the source tree:

    python3 check_dist.py WHEEL SDIST

- every file under wallet/ (data too: JSON-LD contexts, issuer data, stylesheets) is in the
  wheel, so an installed wallet never reaches for a file it does not have;
- the wheel declares the `wallet` command;
- the sdist holds the package and its metadata, and no test vectors (third-party copies
  kept for our tests only).
Standard library only; tests/packaging runs the same functions on a freshly built wheel.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache"}
REQUIRED_DATA = ("wallet/verify/contexts/credentials-v2.jsonld", "wallet/issuer/data/")


def source_files(root: Path = ROOT) -> set[str]:
    """Every file of the package in the source tree, as wheel paths."""
    return {
        p.relative_to(root).as_posix()
        for p in (root / "wallet").rglob("*")
        if p.is_file() and not IGNORED_PARTS & set(p.parts) and p.suffix != ".pyc"
    }


def wheel_problems(wheel: Path, root: Path = ROOT) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(
            (zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")), ""
        )
    problems = [f"missing from the wheel: {name}" for name in sorted(source_files(root) - names)]
    for needed in REQUIRED_DATA:
        if not any(n.startswith(needed) for n in names):
            problems.append(f"missing from the wheel: {needed}")
    if "wallet = wallet.cli:main" not in entry_points:
        problems.append("the wheel does not declare the 'wallet' command")
    return problems


def sdist_problems(sdist: Path, root: Path = ROOT) -> list[str]:
    with tarfile.open(sdist) as tf:
        # Drop the top folder (learner_wallet-0.1.0/).
        names = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    problems = [f"missing from the sdist: {name}" for name in sorted(source_files(root) - names)]
    problems += [f"missing from the sdist: {n}" for n in ("pyproject.toml", "PKG-INFO")
                 if n not in names]
    problems += [f"in the sdist but not ours to ship: {n}" for n in sorted(names)
                 if n.startswith("tests/")][:5]
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: check_dist.py WHEEL SDIST", file=sys.stderr)
        return 2
    problems = wheel_problems(Path(argv[0])) + sdist_problems(Path(argv[1]))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"wheel and sdist hold all {len(source_files())} files of wallet/ (data included)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
