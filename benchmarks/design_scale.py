"""Design time and peak memory from 10 to 1,000 entities (3 use cases per entity).

Each size runs in a fresh child process pinned to one core (when the OS allows), so
peak RSS is that size's alone. Prints a table and how cost grows against n log n.

    .venv/bin/python benchmarks/design_scale.py            # sizes 10 30 100 300 1000
    .venv/bin/python benchmarks/design_scale.py 10 2000    # any sizes
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (10, 30, 100, 300, 1000)
REPEATS = 3


def make_spec(n: int) -> str:
    """A spec with ``n`` entities, chained references, every third one a child, and 3 use cases each."""
    lines = ["system: scale", "team: {size: 12}", "scale: {retention_years: 3, growth_per_year: 30%}", "entities:"]
    for i in range(n):
        lines += [f"  E{i}:", "    fields:", "      name: string(120)", "      amount: money", "      status: enum[new,active,closed]",
                  "      happened_at: datetime", "      note: text?"]  # fmt: skip
        if i % 3 == 1:
            lines.append(f"    part_of: E{i - 1}")
            lines.append("    avg_per_parent: 4")
        elif i > 0:
            lines.append(f"      other: ref(E{i - 1})?")
            lines.append("    rows: 100k")
            lines.append("    growth: 2k/day")
        else:
            lines.append("    rows: 10k")
    lines.append("use_cases:")
    for i in range(n):
        lines += [
            f"  - {{name: list e{i}, reads: [E{i}], filter: [status], sort: [-happened_at], page: cursor, rate: 20/s, staleness: 30s}}",
            f"  - {{name: create e{i}, writes: [E{i}], rate: 5k/day}}",
            f"  - {{name: close e{i}, writes: [E{i}.status], rate: 1k/day}}",
        ]
    return "\n".join(lines) + "\n"


def child(path: str) -> None:
    """Measure one size in this process: load + design + self-review + render every file."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from backend_architect.api import design_spec
    from backend_architect.design.pipeline import design
    from backend_architect.spec.load import load_spec

    timings = {"load": [], "design": [], "total": []}
    files = 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        spec = load_spec(path).spec
        loaded = time.perf_counter()
        design(spec)
        designed = time.perf_counter()
        result = design_spec(spec)
        end = time.perf_counter()
        timings["load"].append(loaded - start)
        timings["design"].append(designed - loaded)
        timings["total"].append((loaded - start) + (end - designed))
        files = len(result.files)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({k: min(v) for k, v in timings.items()} | {"peak_mib": peak_kib / 1024, "files": files}))


def main(sizes: tuple[int, ...]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = Path(folder) / f"spec-{n}.yaml"
            path.write_text(make_spec(n))
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True)
            rows.append((n, path.stat().st_size, json.loads(out.stdout)))
    print(
        f"{'entities':>8} {'use cases':>9} {'spec KB':>8} {'load s':>7} {'design s':>9} {'full job s':>10} {'peak MiB':>9} {'files':>6} {'s/(n log2 n) x1e5':>18}"
    )
    for n, size, r in rows:
        per = r["total"] / (n * math.log2(n)) * 1e5
        print(
            f"{n:>8} {3 * n:>9} {size / 1000:>8.0f} {r['load']:>7.3f} {r['design']:>9.3f} {r['total']:>10.3f} {r['peak_mib']:>9.0f} {r['files']:>6} {per:>18.2f}"
        )
    if len(rows) >= 2:
        (n0, _, r0), (n1, _, r1) = rows[-2], rows[-1]
        growth = math.log(r1["total"] / r0["total"]) / math.log(n1 / n0)
        print(f"\ncost grows as n^{growth:.2f} between {n0} and {n1} entities (n log n is n^1.0-1.1 here; goal: 1,000 entities in < 5 s)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
