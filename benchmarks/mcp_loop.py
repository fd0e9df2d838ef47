"""Time per call of the agent loop's MCP tools, over stdio with the official SDK client, on every bundled spec.

One server process for the whole run (as an agent's host keeps one); for each spec (the bundled
examples and the system-design cases under benchmarks/system_design) it times a session's calls:
draft (checking the spec), design by text (cold), design again (the session's cache), list_decisions,
explain_decision (one decision, which designs each alternative), apply_overrides (one override, a
new design), critique, and artefacts (the default selection, each file checked by its consumer).
Reported: each call's wall milliseconds per spec, the median and the worst over specs, and the
answer's size in bytes; "a dozen calls" adds up a session of 12 (draft x2, design, list_decisions
x2, explain_decision, apply_overrides x2, critique x3, artefacts). The CLI equivalents, which an
agent with only a shell runs (a fresh process each, start-up included), are timed on three specs.

    .venv/bin/python benchmarks/mcp_loop.py
    .venv/bin/python benchmarks/mcp_loop.py --runs 3     # each call repeated, the median kept
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "benchmarks" / "system_design").glob("*.yaml"))
SPECS += sorted((ROOT / "benchmarks" / "system_design").glob("*/spec.yaml"))
CALLS = ("draft", "design", "design (cached)", "list_decisions", "explain_decision", "apply_overrides", "critique", "artefacts")
#: A session of a dozen calls: how often each is made.
DOZEN = {"draft": 2, "design": 1, "list_decisions": 2, "explain_decision": 1, "apply_overrides": 2, "critique": 3, "artefacts": 1}
CLI_SPECS = ("bookstore", "chat", "whatsapp")
CLI_CALLS = {
    "draft --check": ["draft", "--check", "{spec}"],
    "decisions": ["decisions", "{spec}", "--format", "json"],
    "explain keys": ["explain", "{spec}", "keys", "--format", "json"],
    "decide --dry-run": ["decide", "{spec}", "auth", "--choose", "session cookies", "--reason", "benchmark", "--dry-run"],
    "critique": ["critique", "{spec}"],
    "artefacts -o": ["artefacts", "{spec}", "-o", "{out}"],
}


def _name(path: Path) -> str:
    return path.parent.name if path.name == "spec.yaml" else path.stem


async def _timed(session: ClientSession, tool: str, arguments: dict[str, Any], runs: int) -> tuple[float, dict[str, Any]]:
    times, answer = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        result = await session.call_tool(tool, arguments)
        times.append((time.perf_counter() - started) * 1000)
        if result.is_error:
            raise SystemExit(f"{tool} failed: {result.content[0].text}")
        answer = dict(result.structured_content or {})
    return statistics.median(times), answer


def _override(decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """One override the design offers: the first decision with a choice other than its own."""
    for row in decisions:
        for choice in row["choices"]:
            if "<" not in choice and choice != row["choice"]:
                return {row["id"]: {"choose": choice, "reason": "benchmark"}}
    return {}


async def _session(runs: int) -> dict[str, dict[str, tuple[float, int]]]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "backend_architect.cli", "mcp"])
    table: dict[str, dict[str, tuple[float, int]]] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for path in SPECS:
            spec = path.read_text()
            row: dict[str, tuple[float, int]] = {}

            async def call(label: str, tool: str, arguments: dict[str, Any], repeat: int, row: dict[str, tuple[float, int]] = row) -> dict[str, Any]:
                ms, answer = await _timed(session, tool, arguments, repeat)
                row[label] = (ms, len(json.dumps(answer)))
                return answer

            await call("draft", "draft", {"requirements": "", "spec": spec}, runs)
            designed = await call("design", "design", {"spec": spec + f"\n# run {time.perf_counter_ns()}\n"}, 1)  # a text the cache has not seen
            designed = await call("design (cached)", "design", {"spec": spec}, runs)
            decisions = await call("list_decisions", "list_decisions", {"design_id": designed["design_id"]}, runs)
            await call("explain_decision", "explain_decision", {"design_id": designed["design_id"], "id": "keys"}, runs)
            override = _override(decisions["decisions"])
            await call("apply_overrides", "apply_overrides", {"design_id": designed["design_id"], "overrides": override}, 1)
            await call("critique", "critique", {"design_id": designed["design_id"]}, runs)
            await call("artefacts", "artefacts", {"design_id": designed["design_id"]}, runs)
            table[_name(path)] = row
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="repeat each cacheable call and keep the median")
    args = parser.parse_args()
    table = asyncio.run(_session(args.runs))
    print("| spec | " + " | ".join(CALLS) + " | a dozen calls |")
    print("|---|" + "---:|" * (len(CALLS) + 1))
    for name, row in table.items():
        dozen = sum(times * row[call][0] for call, times in DOZEN.items())
        print(f"| {name} | " + " | ".join(f"{row[c][0]:,.0f}" for c in CALLS) + f" | {dozen / 1000:,.1f} s |")
    print()
    print("| call | median ms | worst ms | median answer bytes | largest answer bytes |")
    print("|---|---:|---:|---:|---:|")
    for call in CALLS:
        ms = [row[call][0] for row in table.values()]
        size = [row[call][1] for row in table.values()]
        print(f"| {call} | {statistics.median(ms):,.0f} | {max(ms):,.0f} | {statistics.median(size):,.0f} | {max(size):,.0f} |")
    print()
    _cli(args.runs)


def _cli(runs: int) -> None:
    """Each CLI equivalent's wall time (a fresh process, as a shell agent runs it), median of ``runs``."""
    import subprocess
    import tempfile

    paths = {_name(p): p for p in SPECS}
    print("| CLI (fresh process) | " + " | ".join(CLI_SPECS) + " |")
    print("|---|" + "---:|" * len(CLI_SPECS))
    with tempfile.TemporaryDirectory() as folder:
        for label, command in CLI_CALLS.items():
            cells = []
            for name in CLI_SPECS:
                args = [a.format(spec=paths[name], out=Path(folder) / name) for a in command]
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "backend_architect.cli", *args], capture_output=True, check=False)
                    times.append(time.perf_counter() - started)
                cells.append(f"{statistics.median(times) * 1000:,.0f} ms")
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
