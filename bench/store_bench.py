"""Store figures: unlock time at the default Argon2id parameters, and opening a store of
10,000 records and listing them (excluding the KDF)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import _table
from wallet.store import KdfParams, Store
from wallet.store import keys as keymod

RECORDS = 10_000


def _timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "default"
        store, _ = Store.create(path, "bench passphrase")
        store.close()
        unlock = _timed(lambda: Store.open(path, "bench passphrase").close(), 5)
        print(f"unlock at default params {KdfParams()}: median {statistics.median(unlock):.3f} s")
        _table.add(
            "store", f"unlock at the default KDF ({KdfParams()})", statistics.median(unlock), "s"
        )

        big = Path(tmp) / "big"
        store, _ = Store.create(big, "bench passphrase", kdf=KdfParams.for_tests(), allow_weak=True)
        doc = {
            "credential": {"title": "Data Analysis Fundamentals", "raw": "x" * 2000},
            "report": {},
        }
        for _ in range(0, RECORDS, 1000):
            store.put_many("credential", [doc] * 1000)
        store.close()
        kdf = _timed(
            lambda: keymod.derive_passphrase_kek(
                "bench passphrase", b"\0" * 16, KdfParams.for_tests()
            ),
            5,
        )

        def open_and_list() -> None:
            s = Store.open(big, "bench passphrase")
            assert len(s.list("credential")) == RECORDS
            s.close()

        opened = _timed(open_and_list, 3)
        print(
            f"open + list {RECORDS} records (~2 KB each), KDF excluded: "
            f"median {statistics.median(opened) - statistics.median(kdf):.3f} s"
        )
        _table.add(
            "store",
            f"open + list {RECORDS} records (~2 KB), KDF excluded",
            statistics.median(opened) - statistics.median(kdf),
            "s",
        )
        s = Store.open(big, "bench passphrase")
        put = _timed(lambda: s.put("credential", doc), 20)
        s.close()
        print(
            f"one put into a {RECORDS}-record store: median {statistics.median(put) * 1000:.1f} ms"
        )
        _table.add(
            "store", f"one put into a {RECORDS}-record store", statistics.median(put) * 1000, "ms"
        )


if __name__ == "__main__":
    main()
