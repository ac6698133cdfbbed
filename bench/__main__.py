"""`make bench`: every benchmark module in this folder in one process, then one table of
medians and ratios (peers named with their versions), also written to bench/results.json
with each module's detailed output."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import pkgutil
import sys
import time
from pathlib import Path

from bench import _table

# Peers first, then the wallet's own figures; any other module after these.
ORDER = (
    "sdjwt_bench",
    "jsonld_peers_bench",
    "peers_bench",
    "verify_bench",
    "store_bench",
    "scale_bench",
    "ui_bench",
)
RESULTS = Path(__file__).parent / "results.json"


def _modules() -> list[str]:
    here = Path(__file__).parent
    found = [i.name for i in pkgutil.iter_modules([str(here)]) if not i.name.startswith("_")]
    return [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)


def main() -> None:
    details: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for name in _modules():
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "main", None)
        if not callable(run):
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out):
            run()
        seconds[name] = round(time.perf_counter() - start, 1)
        details[name] = out.getvalue()
    print(_table.render())
    print(f"\nrun time per module (s): {seconds}; details in {RESULTS.name}")
    RESULTS.write_text(
        json.dumps({**_table.to_json(), "seconds": seconds, "details": details}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
