"""The one table `make bench` prints: every benchmark module adds its rows here, and
bench/__main__.py prints them and writes them to bench/results.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    group: str
    scenario: str
    wallet: float  # the wallet's median, in ``unit``
    unit: str
    peer: str = ""  # who it is compared with, version included
    peer_value: float | None = None  # the peer's median, same unit
    target: str = ""  # the target, in words
    met: bool | None = None  # whether the target is met (None: no target)

    @property
    def ratio(self) -> float | None:
        """peer / wallet: above 1 the wallet is faster."""
        if self.peer_value is None or not self.wallet:
            return None
        return self.peer_value / self.wallet


ROWS: list[Row] = []
PEERS: dict[str, str] = {}
SKIPPED: list[str] = []


def add(
    group: str,
    scenario: str,
    wallet: float,
    unit: str,
    *,
    peer: str = "",
    peer_value: float | None = None,
    target: str = "",
    met: bool | None = None,
) -> None:
    ROWS.append(Row(group, scenario, wallet, unit, peer, peer_value, target, met))


def peer_version(name: str, version: str) -> None:
    PEERS[name] = version


def skipped(why: str) -> None:
    SKIPPED.append(why)


def _number(value: float) -> str:
    return (
        f"{value:.3f}"
        if abs(value) < 10
        else f"{value:.1f}"
        if abs(value) < 1000
        else f"{value:.0f}"
    )


def render() -> str:
    header = ("scenario", "wallet", "peer", "peer value", "peer/wallet", "target")
    lines: list[tuple[str, ...]] = []
    group = None
    for row in ROWS:
        if row.group != group:
            group = row.group
            lines.append((f"[{group}]", "", "", "", "", ""))
        ratio = row.ratio
        verdict = "" if row.met is None else (" ok" if row.met else " MISSED")
        lines.append(
            (
                "  " + row.scenario,
                f"{_number(row.wallet)} {row.unit}",
                row.peer,
                "" if row.peer_value is None else f"{_number(row.peer_value)} {row.unit}",
                "" if ratio is None else f"{ratio:.2f}x",
                row.target + verdict,
            )
        )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    out = []
    for i, line in enumerate([header, *lines]):
        cells = [
            cell.ljust(widths[j]) if j in (0, 2, 5) else cell.rjust(widths[j])
            for j, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("-" * len(out[0]))
    out.append("")
    out.append("peers: " + ", ".join(f"{k} {v}" for k, v in sorted(PEERS.items())))
    out.extend(f"skipped: {why}" for why in SKIPPED)
    return "\n".join(out)


def to_json() -> dict[str, object]:
    return {
        "rows": [{**asdict(r), "ratio_peer_over_wallet": r.ratio} for r in ROWS],
        "peers": dict(sorted(PEERS.items())),
        "skipped": list(SKIPPED),
    }
