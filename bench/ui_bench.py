"""The app at 10,000 credentials (issue 9): time from unlock to the first rendered list
(the KDF excluded), and time per keystroke of search-as-you-type, headless."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench import _table
from bench.scale_bench import PASS, _credentials, _fill, _wallet
from wallet.store import KdfParams
from wallet.store import keys as keymod

RECORDS = 10_000


async def _measure(path: Path) -> tuple[float, list[float], list[float], float]:
    from textual.widgets import DataTable, Input

    from wallet.ui.app import WalletApp
    from wallet.ui.credentials import CredentialsScreen

    app = WalletApp(path, idle_check_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.query_one("#passphrase", Input).value = PASS
        start = time.perf_counter()
        await pilot.press("enter")
        while not (
            isinstance(app.screen, CredentialsScreen)
            and app.screen.query_one("#table", DataTable).row_count
        ):
            await asyncio.sleep(0.005)
        await pilot.pause()
        first_list = time.perf_counter() - start
        screen = app.screen
        search = screen.query_one("#search", Input)
        per_key, handler = [], []
        for text in ["d", "da", "dat", "data", "data ", "data a", "course 1", "workshop 99"] * 3:
            begin = time.perf_counter()
            search.value = text  # the Changed event refreshes the table
            await pilot.pause()
            per_key.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            screen.refresh_rows()  # our own work per keystroke: filter and fill the table
            handler.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        await pilot.pause()
        idle_pause = time.perf_counter() - begin
    return first_list, per_key, handler, idle_pause


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wallet = _wallet(Path(tmp) / "w")
        key = wallet.holder_key("EdDSA")
        for data in _credentials(30, key.did, key.public_jwk):
            wallet.import_bytes(data)
        _fill(wallet, [r.data for r in wallet.store.list("credential")], RECORDS)
        wallet.close()
        kdf = statistics.median(
            _time(lambda: keymod.derive_passphrase_kek(PASS, b"\0" * 16, KdfParams.for_tests()))
            for _ in range(5)
        )
        first, per_key, handler, idle_pause = asyncio.run(_measure(Path(tmp) / "w"))
        print(
            f"app: unlock to first rendered list at {RECORDS} records, KDF excluded: "
            f"{first - kdf:.3f} s"
        )
        _table.add(
            "app",
            f"unlock to first rendered list at {RECORDS} records, KDF excluded",
            first - kdf,
            "s",
        )
        print(
            f"app: search per keystroke at {RECORDS} records: median "
            f"{statistics.median(per_key) * 1000:.1f} ms, max {max(per_key) * 1000:.1f} ms "
            f"(a keystroke to the repainted table; the headless driver's pause alone takes "
            f"{idle_pause * 1000:.1f} ms); the app's own filter and table fill: median "
            f"{statistics.median(handler) * 1000:.1f} ms"
        )
        _table.add(
            "app",
            f"search keystroke to repainted table at {RECORDS} records",
            statistics.median(per_key) * 1000,
            "ms",
        )


def _time(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
