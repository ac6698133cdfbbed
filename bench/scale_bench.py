"""The store at a lifetime's scale (issue 8): bulk import, the cost of one import at 10,000
records against 100 (two wallets, interleaved), open + list and search-as-you-type at
10,000, and memory. Cheap KDF parameters; the KDF is excluded where it says so."""

from __future__ import annotations

import gc
import hashlib
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import _table
from wallet.api import Wallet
from wallet.issuer.demo import BOOTCAMP, COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.present import sdjwt as present_sd
from wallet.store import KdfParams
from wallet.store import keys as keymod
from wallet.verify import jws

PASS = "bench passphrase"
IMPORTS = 1000
BIG = 10_000
SMALL = 100


def _credentials(n: int, holder_did: str, holder_jwk: dict[str, Any]) -> list[bytes]:
    """Distinct, really signed credentials in the formats learners get, in turn: OB 3.0
    (eddsa-rdfc-2022), SD-JWT VC, VC-JOSE."""
    out: list[bytes] = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            doc = ob3_credential(
                COLLEGE,
                credential_id=f"bench-{i}",
                subject_id=holder_did,
                subject_name="Alex Learner",
                achievement_name=f"Course {i}",
                description="A bench credential.",
                criteria="Passed.",
            )
            out.append(json.dumps(sign(doc, COLLEGE)).encode())
        elif kind == 1:
            out.append(
                present_sd.issue(
                    {"name": f"Transcript entry {i}", "grade": "A", "skills": ["forecast demand"]},
                    ["grade", "skills.0"],
                    COLLEGE.key,
                    iss=COLLEGE.did,
                    kid=COLLEGE.verification_method,
                    holder_jwk=holder_jwk,
                ).encode()
            )
        else:
            doc = ob3_credential(
                BOOTCAMP,
                credential_id=f"bench-{i}",
                subject_id=holder_did,
                subject_name="Alex Learner",
                achievement_name=f"Workshop {i}",
                description="A bench credential.",
                criteria="Built it.",
            )
            out.append(
                jws.sign_compact(
                    {**doc, "iss": BOOTCAMP.did},
                    BOOTCAMP.key,
                    headers={"kid": BOOTCAMP.verification_method, "typ": "vc+jwt"},
                ).encode()
            )
    return out


def _wallet(path: Path) -> Wallet:
    return Wallet.create(path, PASS, kdf=KdfParams.for_tests(), allow_weak=True)[0]


def _fill(wallet: Wallet, template: list[dict[str, Any]], total: int) -> None:
    """Grow a wallet to ``total`` credential records (copies of real imported records,
    each with its own digest) in batches, as a restore or a cohort import would."""
    have = len(wallet.store.list("credential"))
    batch: list[dict[str, Any]] = []
    for i in range(have, total):
        data = dict(template[i % len(template)])
        data["sha256"] = hashlib.sha256(f"filler {i}".encode()).hexdigest()
        batch.append(data)
        if len(batch) == 1000:
            wallet.store.put_many("credential", batch)
            batch = []
    if batch:
        wallet.store.put_many("credential", batch)


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.2f} ms"


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _listing(wallet: Wallet, search: str | None = None) -> int:
    summaries = getattr(wallet, "summaries", None)  # older builds only have list()
    return len(summaries(search) if summaries else wallet.list(search))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        wallet = _wallet(root / "bulk")
        key = wallet.holder_key("EdDSA")
        creds = _credentials(IMPORTS + 200, key.did, key.public_jwk)
        bulk, spare = creds[:IMPORTS], creds[IMPORTS:]
        each = [_timed(lambda d=data: wallet.import_bytes(d)) for data in bulk]  # type: ignore[misc]
        tenth = IMPORTS // 10
        print(
            f"import {IMPORTS} distinct credentials one by one: {sum(each):.1f} s "
            f"({sum(each) / IMPORTS * 1000:.1f} ms each); last tenth / first tenth "
            f"{statistics.mean(each[-tenth:]) / statistics.mean(each[:tenth]):.2f}x"
        )
        _table.add(
            "scale",
            f"import {IMPORTS} distinct credentials, each",
            sum(each) / IMPORTS * 1000,
            "ms",
        )
        _table.add(
            "scale",
            "  last tenth / first tenth of those imports",
            statistics.mean(each[-tenth:]) / statistics.mean(each[:tenth]),
            "x",
        )
        template = [r.data for r in wallet.store.list("credential")]
        wallet.close()

        small, big = _wallet(root / "small"), _wallet(root / "big")
        _fill(small, template, SMALL)
        _fill(big, template, BIG)
        at_small: list[float] = []
        at_big: list[float] = []
        for i, data in enumerate(spare[:150]):
            # Interleaved, same credential into each: the machine's noise hits both alike.
            at_small.append(_timed(lambda d=data: small.import_bytes(d)))  # type: ignore[misc]
            at_big.append(_timed(lambda d=data: big.import_bytes(d)))  # type: ignore[misc]
            del i
        print(
            f"one import at {BIG} records {_ms(at_big)} vs at {SMALL} {_ms(at_small)}: "
            f"{statistics.median(at_big) / statistics.median(at_small):.2f}x"
        )
        _table.add(
            "scale",
            f"one import at {BIG} records / at {SMALL}",
            statistics.median(at_big) / statistics.median(at_small),
            "x",
        )
        small.close()
        big.close()

        kdf = statistics.median(
            _timed(lambda: keymod.derive_passphrase_kek(PASS, b"\0" * 16, KdfParams.for_tests()))
            for _ in range(5)
        )
        opened: list[float] = []
        for _ in range(3):
            gc.collect()

            def open_and_list() -> None:
                w = Wallet.open(root / "big", PASS)
                assert _listing(w) >= BIG
                w.close()

            opened.append(_timed(open_and_list) - kdf)
        print(
            f"open + list at {BIG} records, KDF excluded: median {statistics.median(opened):.3f} s"
        )
        _table.add(
            "scale", f"open + list at {BIG} records, KDF excluded", statistics.median(opened), "s"
        )

        w = Wallet.open(root / "big", PASS)
        _listing(w)
        keystrokes = ["d", "da", "dat", "data", "data ", "data a", "data an", "forecast", "work"]
        per_key = [_timed(lambda t=text: _listing(w, t)) for text in keystrokes * 3]  # type: ignore[misc]
        print(
            f"search per keystroke at {BIG} records: median {_ms(per_key)}, "
            f"max {max(per_key) * 1000:.2f} ms"
        )
        _table.add(
            "scale",
            f"search per keystroke at {BIG} records",
            statistics.median(per_key) * 1000,
            "ms",
        )
        w.close()
        gc.collect()
        tracemalloc.start()
        w = Wallet.open(root / "big", PASS)
        _listing(w)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"memory at {BIG} records (open + list): {current / 2**20:.0f} MiB held, "
            f"{peak / 2**20:.0f} MiB peak"
        )
        _table.add("scale", f"memory held at {BIG} records (open + list)", current / 2**20, "MiB")
        w.close()


if __name__ == "__main__":
    main()
