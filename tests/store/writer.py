"""A subprocess that writes records in a loop and acknowledges each one on stdout.

modes: ``safe`` acknowledges an id only after put() returned (the wallet's contract);
``unsafe`` acknowledges ids before writing them (the negative control: it must lose).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from wallet.store import Store, records
from wallet.store.rows import Row as _Row


def main() -> None:
    path, passphrase, mode, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = Store.open(path, passphrase)
    print("ready", flush=True)
    for i in range(count):
        if mode == "unsafe":
            ids = [f"{i:04d}{j:028d}" for j in range(5)]
            for rid in ids:
                print(rid, flush=True)
            for rid in ids:
                time.sleep(0.2)
                store._write(_change(store, rid))
        else:
            rid = store.put("credential", {"n": i, "pad": "x" * (i % 7) * 50})
            print(rid, flush=True)
    store.close()


def _change(store: Store, rid: str) -> Callable[[dict[str, _Row]], list[tuple[str, _Row | None]]]:
    """A raw write of one new record (the control commits it only after acknowledging it)."""

    def change(rows: dict[str, _Row]) -> list[tuple[str, _Row | None]]:
        blob = records.seal(store._sub().records, store.store_id, rid, "credential", 1, {"n": rid})
        return [(rid, _Row(rid, "credential", 1, blob))]

    return change


if __name__ == "__main__":
    main()
