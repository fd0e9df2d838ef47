"""Start-up time: what a pre-commit hook pays on every commit, next to squawk on the same SQL, in one run.

Each command runs in a fresh process pinned to one core (``taskset -c 0``) ``--runs`` times;
the median wall time is reported (and the fastest). The commands are the installed console
script, as a hook runs it. squawk (``squawk-cli`` from PyPI, a test dependency) lints the
same SQL files with its default rules, both writing JSON; the ratio is ours over squawk's.

    .venv/bin/python benchmarks/startup.py
    .venv/bin/python benchmarks/startup.py --runs 31 --before 687ff9f   # also time an earlier revision, same run

``--before REV`` exports that revision's ``src/`` with ``git archive`` and runs its command
line with the same interpreter and packages, so the two are measured side by side.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CORPUS = ROOT.parent / "shared" / "corpora" / "sql"
SQL_CORPORA = ("synapse-main-full72.sql", "pagila-schema.sql", "osm-structure.sql", "musicbrainz-all.sql")
SMALL_SQL = """\
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(12, 2) NOT NULL,
  status text NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
"""


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system) of ``runs`` fresh processes, pinned to one core.

    CPU time is what the process itself costs; on a shared machine the wall time also holds
    the wait for a core, so both are shown.
    """
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*pin, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def small_openapi(folder: Path) -> Path:
    """The books service of the bundled bookstore example: a real, small contract (about 20 KB)."""
    from backend_architect.api import design_file

    result = design_file(ROOT / "examples" / "bookstore.yaml")
    name = next(p for p in result.files if p.startswith("openapi/"))
    path = folder / Path(name).name
    path.write_text(result.files[name])
    return path


def earlier(revision: str, folder: Path) -> list[str]:
    """A command running the command line of an earlier revision (its ``src/`` exported from git) with this interpreter."""
    target = folder / "before"
    target.mkdir()
    archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    entry = "import sys; sys.path.insert(0, sys.argv.pop(1)); from backend_architect.cli import run; sys.argv[0] = 'backend-architect'; run()"
    return [sys.executable, "-c", entry, str(target / "src")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", help="an earlier git revision to time beside this one")
    args = parser.parse_args()
    tool = str(BIN / "backend-architect")
    squawk = str(BIN / "squawk")
    with tempfile.TemporaryDirectory() as folder:
        versions = {"now": [tool]}
        if args.before:
            versions[args.before] = earlier(args.before, Path(folder))
        api = small_openapi(Path(folder))
        sql = Path(folder) / "schema.sql"
        sql.write_text(SMALL_SQL)
        rows = [("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"])]
        for version, command in versions.items():
            rows += [
                (f"{version}: backend-architect --version", [*command, "--version"]),
                (f"{version}: review {api.name} ({api.stat().st_size // 1024} KB OpenAPI)", [*command, "review", str(api), "--fail-on", "never"]),
                (f"{version}: review schema.sql ({len(SMALL_SQL)} B SQL)", [*command, "review", str(sql), "--fail-on", "never"]),
            ]
        print(f"{'command':<66} {'wall s':>7} {'cpu s':>7}")
        for label, command in rows:
            wall, cpu = timed(command, args.runs)
            print(f"{label:<66} {wall:>7.3f} {cpu:>7.3f}")
        print()
        print(f"{'SQL corpus':<34} {'ours wall/cpu s':>16} {'squawk wall/cpu s':>18} {'ratio (cpu)':>12}")
        for name in SQL_CORPORA:
            path = CORPUS / name
            if not path.is_file():
                continue
            # both write JSON, so rendering thousands of findings as text weighs on neither
            ours = timed([tool, "review", str(path), "--format", "json", "--fail-on", "never"], args.runs)
            theirs = timed([squawk, "--reporter", "json", str(path)], args.runs)
            shown = f"{name} ({path.stat().st_size // 1024} KB)"
            print(f"{shown:<34} {ours[0]:>7.3f} /{ours[1]:>7.3f} {theirs[0]:>8.3f} /{theirs[1]:>7.3f} {ours[1] / max(theirs[1], 1e-3):>11.1f}x")


if __name__ == "__main__":
    main()
