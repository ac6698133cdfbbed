"""The layering rules of ARCHITECTURE.md section 1, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wallet"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # "from wallet import formats" imports wallet.formats: count the submodule.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_modules_never_import_textual() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "ui" not in p.relative_to(PACKAGE).parts
        and any(n == "textual" or n.startswith("textual.") for n in _imports(p))
    ]
    assert offenders == []


def test_verify_and_formats_stay_pure() -> None:
    forbidden = ("wallet.store", "wallet.exchange", "wallet.ui", "wallet.api", "wallet.cli")
    offenders = []
    for sub in ("verify", "formats"):
        for p in (PACKAGE / sub).rglob("*.py"):
            bad = [n for n in _imports(p) if n.startswith(forbidden)]
            if bad:
                offenders.append((str(p.relative_to(PACKAGE)), bad))
    assert offenders == []


def _offenders(sub: str, forbidden: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    found = []
    for p in sorted((PACKAGE / sub).rglob("*.py")):
        # Every import in the module counts, those inside functions too (ast.walk).
        bad = sorted(n for n in _imports(p) if n.startswith(forbidden))
        if bad:
            found.append((str(p.relative_to(PACKAGE)), bad))
    return found


# One way (issue 11): verify/ holds format-free primitives, formats/ builds on them, and
# the engine (wallet.engine) that turns both into a report sits above them.
ABOVE_VERIFY = ("wallet.formats", "wallet.engine", "wallet.present", "wallet.issuer")


def test_verify_never_imports_formats_or_what_sits_above() -> None:
    assert _offenders("verify", ABOVE_VERIFY) == []


def test_formats_never_import_the_engine_or_presentations() -> None:
    assert _offenders("formats", ("wallet.engine", "wallet.present", "wallet.issuer")) == []


def test_the_json_guard_is_a_leaf() -> None:
    # It may raise the wallet's errors and nothing more; errors itself imports no wallet.
    leaf = _wallet_imports(PACKAGE / "jsonguard.py")
    assert leaf and all(n == "wallet.errors" or n.startswith("wallet.errors.") for n in leaf)
    assert _wallet_imports(PACKAGE / "errors.py") == set()


def test_loading_every_verify_module_loads_no_format() -> None:
    # The run-time view of the same rule: catches importlib and re-exports too.
    names = sorted(
        ".".join(("wallet", *p.relative_to(PACKAGE).with_suffix("").parts))
        for p in (PACKAGE / "verify").rglob("*.py")
        if p.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('wallet.formats', 'wallet.engine'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_cli_loads_no_textual() -> None:
    code = "import sys, wallet.cli, wallet.api; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_exchange_opens_network_connections() -> None:
    network = ("httpx", "urllib.request", "http.client", "socket", "requests")
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in ("exchange", "issuer")
        and any(n in network or n.startswith(tuple(x + "." for x in network)) for n in _imports(p))
    ]
    assert offenders == []


ALLOWED_FOR_SHELLS = ("wallet.api", "wallet.model", "wallet.errors")


def _wallet_imports(path: Path) -> set[str]:
    return {n for n in _imports(path) if n == "wallet" or n.startswith("wallet.")}


def test_the_app_calls_only_the_facade() -> None:
    offenders = []
    for p in (PACKAGE / "ui").rglob("*.py"):
        bad = [
            n
            for n in _wallet_imports(p)
            if not n.startswith(("wallet.ui", *ALLOWED_FOR_SHELLS))
        ]
        if bad:
            offenders.append((str(p.relative_to(PACKAGE)), sorted(bad)))
    assert offenders == []


def test_the_cli_reaches_the_core_only_through_the_facade() -> None:
    forbidden = ("wallet.present", "wallet.formats", "wallet.verify", "wallet.store")
    offenders = []
    for p in PACKAGE.glob("cli*.py"):
        bad = sorted(n for n in _wallet_imports(p) if n.startswith(forbidden))
        if bad:
            offenders.append((p.name, bad))
    assert offenders == []
