"""OpenAPI review: wall time, peak memory and findings next to Spectral and Redocly, in one run.

Every tool reviews the same documents in a fresh process pinned to one core (``taskset -c 0``);
``/usr/bin/time`` reports the process's peak RSS. The peers are installed from the npm
registry into ``benchmarks/peers`` (pinned in its package.json) on first use:

- Spectral 6.16.3 with ``extends: spectral:oas``;
- Redocly CLI 2.77.0 with ``extends: [recommended]``;
- backend-architect ``review`` with every rule (example validation included), JSON output.

    .venv/bin/python benchmarks/review_openapi.py                       # the corpora
    .venv/bin/python benchmarks/review_openapi.py --extra realworld.yml # and more documents (a split one: its root file)
    .venv/bin/python benchmarks/review_openapi.py --split ../scratch/splits  # and the corpora split into files, twice
    .venv/bin/python benchmarks/review_openapi.py --precision          # the hand-checked sample's precision table
    .venv/bin/python benchmarks/review_openapi.py --draw 8             # draw a new sample to judge (precision/openapi.tsv)

Prints a table with each peer's time and memory as a multiple of ours. ``--split DIR`` splits
each corpus document into files twice, outside the repository: by ``redocly split`` (a file
per path item and per component) and by ``split_operations.py`` (a file per operation), once
(reused on later runs; Redocly takes minutes on GitHub's document), reviews both with every
tool, and says whether our findings match the single file's (API006 aside: the operation-level
split writes ``get: {$ref}``, which OpenAPI does not allow).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
PEERS = ROOT / "benchmarks" / "peers"
CORPUS = ROOT.parent / "shared" / "corpora" / "openapi"
DOCUMENTS = ("github-api.github.com.json", "stripe-spec3.yaml")
TIMEOUT = 900


def ensure_peers() -> None:
    if not (PEERS / "node_modules" / ".bin" / "redocly").exists() or not (PEERS / "node_modules" / ".bin" / "spectral").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEERS, check=True)


def measured(command: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and stdout of ``command`` on one core."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        try:
            result = subprocess.run(
                ["/usr/bin/time", "-f", "%e %M", "-o", report.name, *pin, *command], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd
            )
        except subprocess.TimeoutExpired:
            return float("inf"), 0.0, ""  # shown as ">TIMEOUT"
        seconds, kib = report.read().strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, result.stdout


def ours(document: Path) -> tuple[float, float, list[dict[str, object]]]:
    seconds, mib, out = measured([sys.executable, "-m", "backend_architect.cli", "review", str(document), "--format", "json", "--fail-on", "never"])
    return seconds, mib, json.loads(out)["findings"]


def spectral(document: Path, workdir: Path) -> tuple[float, float, int]:
    ruleset = workdir / ".spectral.yaml"
    ruleset.write_text("extends: ['spectral:oas']\n")
    seconds, mib, out = measured([str(PEERS / "node_modules" / ".bin" / "spectral"), "lint", str(document), "--ruleset", str(ruleset), "-f", "json", "--quiet"])
    try:
        count = len(json.loads(out or "[]"))
    except json.JSONDecodeError:
        count = -1
    return seconds, mib, count


def redocly(document: Path, workdir: Path) -> tuple[float, float, int]:
    config = workdir / "redocly.yaml"
    config.write_text("extends:\n  - recommended\n")
    command = [str(PEERS / "node_modules" / ".bin" / "redocly"), "lint", str(document), "--config", str(config), "--format", "json"]
    seconds, mib, out = measured(command, cwd=workdir)
    try:
        count = len(json.loads(out)["problems"])
    except (json.JSONDecodeError, KeyError):
        count = -1
    return seconds, mib, count


def splits(folder: Path) -> list[tuple[Path, Path]]:
    """Each corpus document split by path item (Redocly) and by operation (ours) into ``folder``, as (split root, single file)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from split_operations import load, split

    made = []
    for name in DOCUMENTS:
        single = CORPUS / name
        stem = name.split(".")[0]
        by_path, by_operation = folder / f"{stem}-by-path", folder / f"{stem}-by-operation"
        if not (by_path / "openapi.yaml").exists() and not (by_path / "openapi.json").exists():
            redocly_bin = str(PEERS / "node_modules" / ".bin" / "redocly")
            subprocess.run([redocly_bin, "split", str(single), "--outDir", str(by_path)], check=True, capture_output=True, timeout=3600)
        if not (by_operation / "openapi.json").exists():
            split(load(single), by_operation)
        root = next(p for p in (by_path / "openapi.yaml", by_path / "openapi.json") if p.exists())
        made += [(root, single), (by_operation / "openapi.json", single)]
    return made


def _said(findings: list[dict[str, object]]) -> Counter[tuple[object, object]]:
    return Counter((f["code"], f["message"]) for f in findings if f["code"] != "API006")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", action="append", default=[], help="another OpenAPI document to include")
    parser.add_argument("--split", type=Path, help="split the corpus documents into this folder (outside the repository) and review the splits")
    parser.add_argument("--precision", action="store_true", help="print the precision of the hand-checked sample against this run")
    parser.add_argument("--draw", type=int, default=0, help="draw this many findings per document (and per rule) into precision/openapi.tsv, to judge")
    parser.add_argument("--skip-peers", action="store_true", help="measure backend-architect only")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds a peer may take per document")
    args = parser.parse_args()
    globals()["TIMEOUT"] = args.timeout
    documents = [CORPUS / name for name in DOCUMENTS] + [Path(p) for p in args.extra]
    single_of: dict[Path, Path] = {}
    if args.split:
        for root, single in splits(args.split):
            documents.append(root)
            single_of[root] = single
    if not args.skip_peers:
        ensure_peers()
    os.environ.setdefault("NODE_OPTIONS", "--max-old-space-size=8192")
    print(f"{'document':<32} {'tool':<18} {'seconds':>8} {'MiB':>7} {'findings':>9} {'x ours (time)':>14} {'x ours (mem)':>13}")
    reviewed: dict[str, list[dict[str, object]]] = {}
    for document in documents:
        label = f"{document.parent.name}/{document.name}" if document in single_of else document.name
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(scratch)
            seconds, mib, findings = ours(document)
            reviewed[label] = findings
            print(f"{label[:32]:<32} {'backend-architect':<18} {seconds:8.2f} {mib:7.0f} {len(findings):9d} {'1.00':>14} {'1.00':>13}")
            if not args.skip_peers:
                for name, tool in (("spectral", spectral), ("redocly", redocly)):
                    peer_seconds, peer_mib, count = tool(document, workdir)
                    shown = f"{peer_seconds:8.2f}" if peer_seconds != float("inf") else f"{'>' + str(TIMEOUT):>8}"
                    print(f"{'':<32} {name:<18} {shown} {peer_mib:7.0f} {count:9d} {peer_seconds / seconds:14.2f} {peer_mib / mib:13.2f}")
        if document in single_of:
            same = _said(findings) == _said(reviewed[single_of[document].name])
            print(f"{'':<32} split invariance: {'same findings as the single file' if same else 'FINDINGS DIFFER from the single file'}")
    if args.draw:
        from precision import draw, write

        write("openapi", draw({k: v for k, v in reviewed.items() if "/" not in k}, args.draw, per_rule=3))
        print("drawn into benchmarks/precision/openapi.tsv: judge each row (verdict true/false, reason)")
    if args.precision:
        from precision import report

        report("openapi", reviewed)


if __name__ == "__main__":
    main()
