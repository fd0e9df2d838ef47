"""SQL review: wall time, peak memory and findings next to squawk and sqlfluff, in one run.

Every tool reviews the same files of ``../shared/corpora/sql`` in a fresh process pinned to
one core; ``/usr/bin/time`` reports peak RSS. squawk (``squawk-cli`` from PyPI, installed
with the test extras) lints migrations for locking hazards; sqlfluff (installed from PyPI
into the venv on first use) lints style with ``--dialect postgres``. backend-architect runs
every SQL rule (design, and migration rules on the migration folder), JSON output.

    .venv/bin/python benchmarks/review_sql.py                 # every corpus
    .venv/bin/python benchmarks/review_sql.py musicbrainz-all.sql
    .venv/bin/python benchmarks/review_sql.py --skip-sqlfluff   # sqlfluff takes minutes on MusicBrainz
    .venv/bin/python benchmarks/review_sql.py --skip-sqlfluff ../scratch/lago-structure.sql ../scratch/harbor-migrations  # more
    .venv/bin/python benchmarks/review_sql.py --lone lemmy-migrations --precision   # + each migration alone; precision table

A target is a corpus name or a path (a file, a folder of SQL files or migrations). ``--lone
FOLDER`` also reviews every migration of a folder as a lone file, the way squawk runs on a
pull request's migration, and reports the findings per file next to squawk's on the same
files. ``--precision`` prints the hand-checked sample's precision (precision/sql.tsv);
``--draw N`` draws a new sample to judge.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
CORPUS = ROOT.parent / "shared" / "corpora" / "sql"
TARGETS = ("musicbrainz-all.sql", "osm-structure.sql", "pagila-schema.sql", "synapse-main-full72.sql", "lemmy-migrations")
BIN = Path(sys.executable).parent
TIMEOUT = 1800


def measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and stdout; seconds is inf when the tool ran past the timeout."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        try:
            result = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", report.name, *pin, *command], capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return float("inf"), 0.0, ""
        seconds, kib = report.read().strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, result.stdout


def files_of(target: Path) -> list[str]:
    if not target.is_dir():
        return [str(target)]
    return sorted(str(p) for p in target.rglob("*.sql") if not p.name.endswith(".down.sql"))


def ours_findings(target: Path) -> tuple[float, float, list[dict[str, object]]]:
    seconds, mib, out = measured([sys.executable, "-m", "backend_architect.cli", "review", str(target), "--format", "json", "--fail-on", "never"])
    return seconds, mib, json.loads(out)["findings"]


def ours(target: Path) -> tuple[float, float, int]:
    seconds, mib, findings = ours_findings(target)
    return seconds, mib, len(findings)


def squawk(target: Path) -> tuple[float, float, int]:
    seconds, mib, out = measured([str(BIN / "squawk"), "--reporter", "json", *files_of(target)])
    try:
        count = len(json.loads(out or "[]"))
    except json.JSONDecodeError:
        count = -1
    return seconds, mib, count


def sqlfluff(target: Path) -> tuple[float, float, int]:
    if not (BIN / "sqlfluff").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "sqlfluff"], check=True)
    # sqlfluff skips files over 20 KB unless told otherwise; every corpus file but Lemmy's is larger.
    config = Path(tempfile.mkdtemp()) / ".sqlfluff"
    config.write_text("[sqlfluff]\ndialect = postgres\nlarge_file_skip_byte_limit = 0\n")
    command = [str(BIN / "sqlfluff"), "lint", "--config", str(config), "--format", "json", "--nofail", "--processes", "1", *files_of(target)]
    seconds, mib, out = measured(command)
    try:
        count = sum(len(f.get("violations", [])) for f in json.loads(out or "[]"))
    except json.JSONDecodeError:
        count = -1
    return seconds, mib, count


def _target(name: str) -> Path:
    return CORPUS / name if (CORPUS / name).exists() else Path(name)


def lone(folder: Path) -> tuple[float, float, list[dict[str, object]], float, int]:
    """Every migration of ``folder`` reviewed alone (ours one process per file, as CI runs it); squawk on the same files."""
    total, peak, found = 0.0, 0.0, []
    for file in files_of(folder):
        seconds, mib, findings = ours_findings(Path(file))
        total, peak = total + seconds, max(peak, mib)
        found += findings
    squawk_seconds, _, squawk_count = squawk(folder)
    return total, peak, found, squawk_seconds, squawk_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    parser.add_argument("--skip-sqlfluff", action="store_true")
    parser.add_argument("--lone", action="append", default=[], help="a migration folder whose files are also reviewed one by one")
    parser.add_argument("--precision", action="store_true", help="print the precision of the hand-checked sample against this run")
    parser.add_argument("--draw", type=int, default=0, help="draw this many findings per target (and per rule) into precision/sql.tsv")
    args = parser.parse_args()
    reviewed: dict[str, list[dict[str, object]]] = {}
    print(f"{'corpus':<26} {'tool':<18} {'seconds':>8} {'MiB':>7} {'findings':>9} {'x ours (time)':>14} {'x ours (mem)':>13}")
    for name in args.targets:
        target = _target(name)
        seconds, mib, findings = ours_findings(target)
        reviewed[target.name] = findings
        print(f"{target.name[:26]:<26} {'backend-architect':<18} {seconds:8.2f} {mib:7.0f} {len(findings):9d} {'1.00':>14} {'1.00':>13}")
        peers = [("squawk", squawk)] + ([] if args.skip_sqlfluff else [("sqlfluff", sqlfluff)])
        for label, tool in peers:
            peer_seconds, peer_mib, peer_count = tool(target)
            shown = f"{peer_seconds:8.2f}" if peer_seconds != float("inf") else f"{'>' + str(TIMEOUT):>8}"
            print(f"{'':<26} {label:<18} {shown} {peer_mib:7.0f} {peer_count:9d} {peer_seconds / seconds:14.2f} {peer_mib / mib if mib else 0:13.2f}")
    for name in args.lone:
        folder = _target(name)
        seconds, mib, findings, squawk_seconds, squawk_count = lone(folder)
        label = f"{folder.name} (each alone)"
        reviewed[label] = findings
        files = len(files_of(folder))
        print(f"{label[:26]:<26} {'backend-architect':<18} {seconds:8.2f} {mib:7.0f} {len(findings):9d} {'1.00':>14} {'':>13}  ({files} processes)")
        print(f"{'':<26} {'squawk':<18} {squawk_seconds:8.2f} {'':>7} {squawk_count:9d} {squawk_seconds / seconds:14.2f}")
    if args.draw:
        from precision import draw, write

        write("sql", draw(reviewed, args.draw, per_rule=3))
        print("drawn into benchmarks/precision/sql.tsv: judge each row (verdict true/false, reason)")
    if args.precision:
        from precision import report

        report("sql", reviewed)


if __name__ == "__main__":
    main()
