"""OpenAPI review: wall time, peak memory and findings next to Spectral and Redocly, in one run.

Every tool reviews the same documents in a fresh process pinned to one core (``taskset -c 0``);
``/usr/bin/time`` reports the process's peak RSS. The peers are installed from the npm
registry into ``benchmarks/peers`` (pinned in its package.json) on first use:

- Spectral 6.16.3 with ``extends: spectral:oas``;
- Redocly CLI 2.77.0 with ``extends: [recommended]``;
- backend-architect ``review`` with every rule (example validation included), JSON output.

    .venv/bin/python benchmarks/review_openapi.py                       # the corpora
    .venv/bin/python benchmarks/review_openapi.py --extra realworld.yml # and more documents
    .venv/bin/python benchmarks/review_openapi.py --sample 12           # print a sample of our findings

Prints a table with each peer's time and memory as a multiple of ours.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        result = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", report.name, *pin, *command], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", action="append", default=[], help="another OpenAPI document to include")
    parser.add_argument("--sample", type=int, default=0, help="print this many random findings of ours per document")
    parser.add_argument("--skip-peers", action="store_true", help="measure backend-architect only")
    args = parser.parse_args()
    documents = [CORPUS / name for name in DOCUMENTS] + [Path(p) for p in args.extra]
    if not args.skip_peers:
        ensure_peers()
    os.environ.setdefault("NODE_OPTIONS", "--max-old-space-size=8192")
    print(f"{'document':<32} {'tool':<18} {'seconds':>8} {'MiB':>7} {'findings':>9} {'x ours (time)':>14} {'x ours (mem)':>13}")
    for document in documents:
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(scratch)
            seconds, mib, findings = ours(document)
            print(f"{document.name[:32]:<32} {'backend-architect':<18} {seconds:8.2f} {mib:7.0f} {len(findings):9d} {'1.00':>14} {'1.00':>13}")
            if not args.skip_peers:
                for name, tool in (("spectral", spectral), ("redocly", redocly)):
                    peer_seconds, peer_mib, count = tool(document, workdir)
                    print(f"{'':<32} {name:<18} {peer_seconds:8.2f} {peer_mib:7.0f} {count:9d} {peer_seconds / seconds:14.2f} {peer_mib / mib:13.2f}")
            if args.sample:
                random.seed(7)
                for finding in random.sample(findings, min(args.sample, len(findings))):
                    location = finding.get("location", {})
                    print(f"    sample {finding['code']} {location.get('line', '?')}: {finding['where']}: {str(finding['message'])[:140]}")


if __name__ == "__main__":
    main()
