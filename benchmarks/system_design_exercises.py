"""Three classic system-design exercises: the engine's numbers and decisions against hand calculations.

The hand calculations below were worked out from each exercise's stated requirements
before looking at the engine's output; each carries its working. A number "agrees" when
the engine is within the stated tolerance of the hand figure (row sizes are estimates on
both sides, so storage gets a wider band than rates, which are exact).

    .venv/bin/python benchmarks/system_design_exercises.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend_architect.api import design_file
from backend_architect.ir.model import Architecture

HERE = Path(__file__).resolve().parent / "system_design"


@dataclass(frozen=True)
class Number:
    label: str
    figure: str
    hand: float
    working: str
    tolerance: float = 0.01  # relative; rates are exact


@dataclass(frozen=True)
class Choice:
    label: str
    hand: str
    check: Callable[[Architecture], bool]


def table(arch: Architecture, name: str) -> object:
    return next(t for s in arch.datastores for t in s.tables if t.name == name)


def decision(arch: Architecture, key: str) -> str:
    return next(d.choice for d in arch.decisions if d.id == key)


def cache(arch: Architecture, use_case: str) -> str:
    return next(c.strategy for c in arch.caches if c.use_case == use_case)


EXERCISES: dict[str, tuple[list[Number], list[Choice]]] = {
    "ride_hailing": (
        [
            Number("peak location updates/s", "qps.peak.report-location", 300_000, "100k/s average x peak factor 3"),
            Number("peak ride requests/s", "qps.peak.request-ride", 34.72, "1,000,000 / 86,400 s = 11.57/s, x3"),
            Number("ride rows after 1 year", "rows.1y.rides", 365e6, "1M/day x 365 (from empty; the engine also assumes 30 days of history)", 0.15),
            Number("location rows held", "rows.1y.driver_locations", 8.64e9, "100k/s x 86,400 s, kept 1 day", 0.01),
            Number(
                "location bytes held",
                "bytes.1y.driver_locations",
                1.73e12,
                "~105 B heap (uuid id and driver, 2 numerics, 16-char cell, 2 timestamps, 28 B header) + ~72 B index entries, /0.9 fill = ~200 B x 8.64B",
                0.5,
            ),
            Number(
                "instances for location ingest",
                "instances.drivers",
                151,
                "300,000 req/s / 2,000 per Go instance = 150, +1 for failure (was 601 at a flat 500/instance before per-runtime figures)",
            ),
        ],
        [
            Choice(
                "locations partitioned by day",
                "8.64B rows/day: daily partitions, dropped after a day",
                lambda a: table(a, "driver_locations").partitioning.interval == "day",
            ),  # type: ignore[union-attr]
            Choice(
                "locations sharded by driver",
                "300k writes/s is 60x one primary: shard, keyed by driver",
                lambda a: table(a, "driver_locations").sharding.key == "driver_id",
            ),  # type: ignore[union-attr]
            Choice("ride tracking cached", "15k/s peak, 2 s stale allowed, authenticated: shared cache", lambda a: cache(a, "track ride") == "cache-aside"),
            Choice("microservices", "25 engineers: several teams", lambda a: a.deployment == "microservices"),
        ],
    ),
    "ticket_booking": (
        [
            Number("peak seat holds/s", "qps.peak.hold-seats", 50_000, "given as peak"),
            Number("average seat holds/s", "qps.avg.hold-seats", 5_000, "50k / peak factor 10"),
            Number(
                "seat rows now", "rows.1y.seats", 1.0e9 + 55 * 365 * 20_000, "50k events x 20k seats = 1B, + 55 events/day x 365 x 20k seats in the year", 0.01
            ),
            Number("stripe calls/s at peak", "qps.peak.external.stripe", 600, "book seats: 600/s given as peak"),
            Number("rows per expiry run", "job.rows_per_run.release-expired-holds", 300_000, "5,000 holds/s x 86,400 s / 1,440 runs a day"),
            Number("expiry throughput", "job.rows_per_s.release-expired-holds", 10_000, "300k rows within half the 60 s interval"),
        ],
        [
            Choice("seat map on a CDN", "public, 20k/s, 2 s stale allowed", lambda a: cache(a, "view seat map") == "cdn"),
            Choice(
                "one primary cannot take the holds",
                "50.6k writes/s at peak >> 5k/s per primary",
                lambda a: any(b.title == "Write ceiling of one database primary" and b.rank <= 3 for b in a.bottlenecks),
            ),
            Choice(
                "holds sharded",
                "50k inserts/s: shard the holds (hand: by event, to keep an on-sale on one shard)",
                lambda a: table(a, "seat_holds").sharding is not None,
            ),  # type: ignore[union-attr]
            Choice(
                "stripe limit watched",
                "600/s against 1k/s is 60% of the provider's limit",
                lambda a: any(b.title == "Rate limit of stripe" for b in a.bottlenecks),
            ),
        ],
    ),
    "metrics_ingest": (
        [
            Number("peak points/s", "qps.peak.ingest-points", 150_000, "100k/s x 1.5"),
            Number("point rows held", "rows.1y.points", 259.2e9, "100k/s x 86,400 = 8.64B/day x 30 days"),
            Number(
                "point bytes held",
                "bytes.1y.points",
                52.9e12,
                "~88 B heap (uuid id and series, numeric value, 2 timestamps, header) + ~96 B index entries, /0.9 = ~204 B x 259.2B",
                0.5,
            ),
            Number("rows per alert run", "job.rows_per_run.evaluate-alerts", 6.0e6, "8.64B/day / 1,440 runs"),
            Number("alert throughput", "job.rows_per_s.evaluate-alerts", 200_000, "6M rows within 30 s"),
        ],
        [
            Choice(
                "points partitioned by day, 30-day retention",
                "8.64B rows/day: daily partitions; drop those older than 30 days",
                lambda a: (
                    table(a, "points").partitioning.interval == "day"  # type: ignore[union-attr]
                    and "older than 30 days" in (table(a, "points").partitioning.retention_job or "")
                ),
            ),  # type: ignore[union-attr]
            Choice(
                "points sharded by series",
                "150k inserts/s, 53 TB: shard by series so a query stays on one shard",
                lambda a: table(a, "points").sharding.key == "series_id",
            ),  # type: ignore[union-attr]
            Choice("series queries cached", "450/s peak, 10 s stale allowed", lambda a: cache(a, "query series") == "cache-aside"),
            Choice("modular monolith", "6 engineers: one team", lambda a: a.deployment == "modular-monolith"),
        ],
    ),
}


def main() -> int:
    agreed = total = 0
    for name, (numbers, choices) in EXERCISES.items():
        arch = design_file(HERE / f"{name}.yaml").architecture
        figures = {f.key: f.value for f in arch.figures}
        print(f"\n## {name}\n")
        print("| quantity | hand | engine | engine/hand | agrees | hand working |\n|---|---|---|---|---|---|")
        for n in numbers:
            engine = figures.get(n.figure)
            ratio = engine / n.hand if engine is not None else float("nan")
            ok = engine is not None and abs(ratio - 1) <= n.tolerance
            agreed += ok
            total += 1
            shown = f"{engine:,.4g}" if engine is not None else "missing"
            print(f"| {n.label} | {n.hand:,.4g} | {shown} | {ratio:.3f} | {'yes' if ok else 'NO'} (±{n.tolerance:.0%}) | {n.working} |")
        print("\n| decision | hand | engine agrees |\n|---|---|---|")
        for c in choices:
            try:
                ok = bool(c.check(arch))
            except (StopIteration, AttributeError):
                ok = False
            agreed += ok
            total += 1
            print(f"| {c.label} | {c.hand} | {'yes' if ok else 'NO'} |")
    print(f"\n{agreed} of {total} hand figures and decisions agree.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
