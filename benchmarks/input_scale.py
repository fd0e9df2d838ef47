"""CPU time and peak memory of a review (and a design) as inputs grow toward the documented limits.

Each measurement is a fresh `backend-architect` process (CPU time = user + system, so a busy
machine inflates it less than wall time). Inputs are generated:
- OpenAPI: n paths, each a GET with a query parameter, a $ref'd response schema and an example;
- SQL: n tables of 12 columns (a primary key, a foreign key to the previous table, ten varchar), an index each;
- spec: `design_scale.make_spec(n)` (n entities, 3n use cases), designed with every file written.

    .venv/bin/python benchmarks/input_scale.py            # the default sizes
    .venv/bin/python benchmarks/input_scale.py --quick    # the two smallest sizes of each
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from design_scale import make_spec

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "backend-architect"
SIZES = {"openapi": (1_000, 10_000, 60_000), "sql": (1_000, 10_000, 30_000), "spec": (300, 1_000)}


def openapi(n: int) -> str:
    paths = {
        f"/v1/items{i}": {
            "get": {
                "operationId": f"list{i}",
                "summary": "List",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32"}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}, "example": {"id": "a"}}}},
                    "401": {"description": "no"},
                },
            }
        }
        for i in range(n)
    }
    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    return json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": {"Item": item}}})


def sql(n: int) -> str:
    out = []
    for i in range(n):
        columns = ", ".join(f"c{j} varchar(100)" for j in range(10))
        out.append(f"CREATE TABLE t{i} (id bigint PRIMARY KEY, parent bigint REFERENCES t{max(i - 1, 0)}(id), {columns});")
        out.append(f"CREATE INDEX t{i}_c0 ON t{i} (c0);")
    return "\n".join(out) + "\n"


def measure(args: list[str]) -> tuple[float, float, int]:
    """CPU seconds, peak MiB and exit code of one run of the command line."""
    script = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, r.returncode)"
    )
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main(quick: bool) -> None:
    print(f"{'input':<8} {'size':>8} {'MB':>6} {'CPU s':>7} {'peak MiB':>9} {'exit':>4}")
    with tempfile.TemporaryDirectory() as folder:
        for kind, sizes in SIZES.items():
            for n in sizes[:2] if quick else sizes:
                if kind == "openapi":
                    path, text = Path(folder) / f"api{n}.json", openapi(n)
                    args = [str(CLI), "review", str(path), "--format", "json", "-o", str(Path(folder) / "out.json")]
                elif kind == "sql":
                    path, text = Path(folder) / f"schema{n}.sql", sql(n)
                    args = [str(CLI), "review", str(path), "--format", "json", "-o", str(Path(folder) / "out.json")]
                else:
                    path, text = Path(folder) / f"spec{n}.yaml", make_spec(n)
                    args = [str(CLI), "design", str(path), "-o", str(Path(folder) / f"design{n}"), "--format", "json", "--fail-on", "never"]
                path.write_text(text)
                cpu, peak, code = measure(args)
                print(f"{kind:<8} {n:>8,} {len(text.encode()) / 1e6:>6.1f} {cpu:>7.2f} {peak:>9.0f} {code:>4}")


if __name__ == "__main__":
    main("--quick" in sys.argv[1:])
