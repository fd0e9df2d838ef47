"""What the SQL-safety rules cost: the identifier and value checks within loading a spec, and rendering all DDL.

Uses design_scale.py's generated specs (n entities, 3 use cases each). CPU time of this
process (not wall time, which other work on a shared machine inflates), best of 5.

    .venv/bin/python benchmarks/ddl_safety.py            # 1,000 entities
    .venv/bin/python benchmarks/ddl_safety.py 300 3000   # any sizes

To compare with an earlier version, run the same command with PYTHONPATH pointing at that
version's src/ (e.g. from ``git archive <commit> src | tar -x -C /tmp/base``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from design_scale import make_spec

from backend_architect.design.pipeline import design
from backend_architect.render.ddl import DIALECTS, compile_store, render_ddl
from backend_architect.render.migration import render_initial_migration
from backend_architect.spec.load import load_spec_bytes

REPEATS = 5


def best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def measure(n: int) -> str:
    text = make_spec(n).encode()
    spec = load_spec_bytes(text, "scale.yaml").spec
    load = best(lambda: load_spec_bytes(text, "scale.yaml"))
    try:
        from backend_architect.spec.identifiers import check_identifiers
        from backend_architect.spec.values import check_values

        checks = best(lambda: (list(check_identifiers(spec)), list(check_values(spec))))
    except ImportError:  # a version without the checks
        checks = 0.0
    arch = design(spec)

    def render() -> None:
        for store in arch.datastores:
            for dialect in DIALECTS:
                compiled = compile_store(store, dialect)
                render_ddl(store, dialect, compiled)
                if dialect == "postgresql":
                    render_initial_migration(store, compiled)

    tables = sum(len(s.tables) for s in arch.datastores)
    return f"{n:>8} {tables:>7} {load:>7.3f} {checks:>9.4f} {100 * checks / load:>7.1f}% {best(render):>10.3f}"


if __name__ == "__main__":
    sizes = tuple(int(a) for a in sys.argv[1:]) or (1000,)
    print(f"{'entities':>8} {'tables':>7} {'load s':>7} {'checks s':>9} {'share':>8} {'DDL+0001 s':>10}")
    for size in sizes:
        print(measure(size))
