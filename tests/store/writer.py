"""A subprocess that writes records in a loop and acknowledges each one on stdout.

modes: ``safe`` acknowledges an id only after put() returned (the wallet's contract);
``unsafe`` acknowledges ids before writing them (the negative control: it must lose).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wallet.store import Store


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
                store._write(lambda rows, r=rid: [(r, _row(store, r, rows))])
        else:
            rid = store.put("credential", {"n": i, "pad": "x" * (i % 7) * 50})
            print(rid, flush=True)
    store.close()


def _row(store: Store, rid: str, rows: dict[str, object]) -> object:
    from wallet.store import records
    from wallet.store.store import _Row

    blob = records.seal(store._sub().records, store.store_id, rid, "credential", 1, {"n": rid})
    return _Row(rid, "credential", 1, blob)


if __name__ == "__main__":
    main()
