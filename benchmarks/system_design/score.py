"""Score the design engine on the system-design cases: how many checklist lines each design meets.

Every folder beside this file that holds a ``spec.yaml`` and a ``checklist.yaml`` is a case (the
three loose ``*.yaml`` exercises belong to ``benchmarks/system_design_exercises.py``). Each spec
is designed in-process through ``backend_architect.api``; each checklist line's ``check`` is then
evaluated against the design's ``handoff.json`` with the vocabulary of ``predicates.py``.

    .venv/bin/python benchmarks/system_design/score.py            # per case and overall
    .venv/bin/python benchmarks/system_design/score.py --json     # the same, as JSON
    .venv/bin/python benchmarks/system_design/score.py --markdown # the per-case table for BENCHMARKS.md
    .venv/bin/python benchmarks/system_design/score.py --lint     # check the checklists only, design nothing
    .venv/bin/python benchmarks/system_design/score.py --case uber -v
    .venv/bin/python benchmarks/system_design/score.py --strip-refused   # diagnostic, see strip.py

A spec the loader refuses meets none of its lines; the loader's errors are printed. The
self-review findings above ``info`` are counted per case (the issue asks for none).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import strip  # noqa: E402
from predicates import CheckError, Handoff, Verdict, evaluate, parse  # noqa: E402

CATEGORIES = ("capacity", "data", "api", "architecture", "scaling", "storage", "availability", "growth", "mechanisms")
LINE_KEYS = {"id", "category", "source", "check"}


@dataclass(frozen=True)
class Line:
    id: str
    category: str
    source: str
    check: str


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    sources: list[dict[str, str]]
    lines: list[Line]


@dataclass
class CaseResult:
    case: Case
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    crashed: str | None = None
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: With --strip-refused: what the loader refused and was taken out before designing (diagnostic only).
    stripped: list[str] = field(default_factory=list)
    designed: bool = False

    @property
    def met(self) -> int:
        return sum(v.ok for v in self.verdicts.values())

    def by_category(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for line in self.case.lines:
            met, total = counts.get(line.category, (0, 0))
            counts[line.category] = (met + int(self.verdicts[line.id].ok), total + 1)
        return {c: counts[c] for c in CATEGORIES if c in counts}


def load_case(folder: Path) -> Case:
    """Read and check a case's checklist: known keys and categories, unique ids, checks in the vocabulary."""
    document = yaml.safe_load((folder / "checklist.yaml").read_text(encoding="utf-8"))
    problems: list[str] = []
    lines: list[Line] = []
    for number, raw in enumerate(document.get("lines", []), 1):
        if not isinstance(raw, dict) or set(raw) != LINE_KEYS:
            problems.append(f"line {number}: keys must be {sorted(LINE_KEYS)}, got {sorted(raw) if isinstance(raw, dict) else raw!r}")
            continue
        line = Line(**{k: str(raw[k]) for k in LINE_KEYS})
        if line.category not in CATEGORIES:
            problems.append(f"{line.id}: unknown category {line.category!r}")
        try:
            parse(line.check)
        except CheckError as exc:
            problems.append(f"{line.id}: {exc}")
        lines.append(line)
    ids = [line.id for line in lines]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise SystemExit(f"{folder / 'checklist.yaml'}:\n  " + "\n  ".join(problems))
    return Case(document.get("case", folder.name), folder, document.get("sources", []), lines)


def discover(only: Iterable[str] = ()) -> list[Case]:
    wanted = set(only)
    folders = sorted(p.parent for p in HERE.glob("*/checklist.yaml") if (p.parent / "spec.yaml").is_file())
    return [load_case(f) for f in folders if not wanted or f.name in wanted]


def score(case: Case, strip_refused: bool = False) -> CaseResult:
    """Design the case's spec and evaluate every line of its checklist.

    With ``strip_refused``, a spec the loader refuses is designed again without what it refused
    (strip.py) — a diagnostic of the rest of the engine, never the score.
    """
    from backend_architect.api import design_file, design_spec
    from backend_architect.errors import InputError
    from backend_architect.rules.model import Severity
    from backend_architect.spec.load import load_spec_bytes

    result = CaseResult(case)
    started = time.perf_counter()
    handoff: Handoff | None = None
    path = case.folder / "spec.yaml"
    try:
        design = design_file(path)
    except InputError as exc:
        result.refused = str(exc).splitlines()
        design = None
        if strip_refused:
            stripped = strip.strip_refused(path.read_text(encoding="utf-8"), str(path))
            result.stripped = stripped.removed + ([f"gave up: {stripped.reason}"] if stripped.reason else [])
            if stripped.text is not None:
                try:
                    design = design_spec(load_spec_bytes(stripped.text.encode(), str(path)).spec)
                except Exception as crash:  # noqa: BLE001 - a crash is a result to report
                    result.crashed = f"{type(crash).__name__}: {crash}"
    except Exception as exc:  # noqa: BLE001 - a crash is a result to report, not a reason to stop scoring the other cases
        result.crashed = f"{type(exc).__name__}: {exc}"
        design = None
    if design is not None:
        result.designed = True
        handoff = Handoff(json.loads(design.files["handoff.json"]))
        result.findings = [f"{f.severity} {f.code} {f.where}: {f.message}" for f in design.findings if f.severity > Severity.INFO]
    result.seconds = time.perf_counter() - started
    for line in case.lines:
        if handoff is None:
            result.verdicts[line.id] = Verdict(False, "no design")
            continue
        try:
            result.verdicts[line.id] = evaluate(line.check, handoff)
        except Exception as exc:  # noqa: BLE001 - a predicate tripping on an unexpected hand-off shape counts as unmet, visibly
            result.verdicts[line.id] = Verdict(False, f"predicate error: {type(exc).__name__}: {exc}")
    return result


def _percent(met: int, total: int) -> str:
    return f"{100 * met / total:.0f}%" if total else "-"


def report_text(results: list[CaseResult], verbose: bool) -> str:
    out: list[str] = []
    for r in results:
        lines = r.case.lines
        status = "REFUSED by the loader, " if r.refused else ""
        status += "DIAGNOSTIC design without what it refused, " if r.refused and r.designed else ""
        status += f"CRASHED ({r.crashed}), " if r.crashed else ""
        findings = f", {len(r.findings)} self-review findings above info" if r.designed else ""
        out.append(f"\n{r.case.name}: {status}{r.met}/{len(lines)} lines met ({_percent(r.met, len(lines))}){findings}  [{r.seconds:.1f} s]")
        out += [f"  | {e}" for e in r.refused]
        out += [f"  - removed {e}" for e in r.stripped]
        out.append("  " + "  ".join(f"{c} {m}/{t}" for c, (m, t) in r.by_category().items()))
        capacity = [line for line in lines if line.category == "capacity"]
        if capacity and r.designed:
            out.append("  capacity (engine / source):")
            for line in capacity:
                v = r.verdicts[line.id]
                ratio = f"x{v.engine / v.source:.2f}" if v.engine is not None and v.source else "missing"
                out.append(f"    {'met  ' if v.ok else 'UNMET'} {line.id:<26} {ratio:>8}   {v.detail}")
        unmet = [line for line in lines if not r.verdicts[line.id].ok and line.category != "capacity"]
        if unmet and r.designed:
            out.append("  unmet:")
            out += [f"    {line.id:<26} {r.verdicts[line.id].detail}" if verbose else f"    {line.id}" for line in unmet]
        if verbose:
            out += [f"  finding: {f}" for f in r.findings]
    total = sum(len(r.case.lines) for r in results)
    met = sum(r.met for r in results)
    out.append(
        f"\noverall: {met}/{total} lines met ({_percent(met, total)}); "
        f"{sum(len(r.findings) for r in results)} self-review findings above info; "
        f"{sum(bool(r.refused) for r in results)} of {len(results)} specs refused"
    )
    categories = _overall_categories(results)
    out.append("  " + "  ".join(f"{c} {m}/{t}" for c, (m, t) in categories.items()))
    return "\n".join(out)


def _overall_categories(results: list[CaseResult]) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for r in results:
        for c, (m, t) in r.by_category().items():
            a, b = totals.get(c, (0, 0))
            totals[c] = (a + m, b + t)
    return {c: totals[c] for c in CATEGORIES if c in totals}


def report_markdown(results: list[CaseResult]) -> str:
    head = ["case", "lines met", *CATEGORIES, "findings > info", "spec"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cells(met: int, total: int, cats: dict[str, tuple[int, int]]) -> list[str]:
        return [f"{met}/{total} ({_percent(met, total)})", *(f"{cats[c][0]}/{cats[c][1]}" if c in cats else "-" for c in CATEGORIES)]

    for r in results:
        spec = "crashed" if r.crashed else "refused, stripped" if r.refused and r.designed else "refused" if r.refused else "designed"
        findings = str(len(r.findings)) if r.designed else "-"
        rows.append("| " + " | ".join([r.case.name, *cells(r.met, len(r.case.lines), r.by_category()), findings, spec]) + " |")
    total, met = sum(len(r.case.lines) for r in results), sum(r.met for r in results)
    findings = str(sum(len(r.findings) for r in results))
    rows.append("| " + " | ".join(["**all**", *cells(met, total, _overall_categories(results)), findings, ""]) + " |")
    return "\n".join(rows)


def report_json(results: list[CaseResult]) -> dict[str, Any]:
    return {
        "cases": [
            {
                "case": r.case.name,
                "met": r.met,
                "lines": len(r.case.lines),
                "by_category": {c: {"met": m, "lines": t} for c, (m, t) in r.by_category().items()},
                "refused": r.refused,
                "stripped": r.stripped,
                "designed": r.designed,
                "crashed": r.crashed,
                "findings_above_info": r.findings,
                "seconds": round(r.seconds, 2),
                "results": [
                    {
                        "id": line.id,
                        "category": line.category,
                        "met": r.verdicts[line.id].ok,
                        "detail": r.verdicts[line.id].detail,
                        "engine": r.verdicts[line.id].engine,
                        "source": r.verdicts[line.id].source,
                    }
                    for line in r.case.lines
                ],
            }
            for r in results
        ],
        "overall": {
            "met": sum(r.met for r in results),
            "lines": sum(len(r.case.lines) for r in results),
            "by_category": {c: {"met": m, "lines": t} for c, (m, t) in _overall_categories(results).items()},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--markdown", action="store_true", help="print the per-case table (Markdown)")
    parser.add_argument("--lint", action="store_true", help="check the checklists without designing anything")
    parser.add_argument("--case", action="append", default=[], help="score only this case (repeatable)")
    parser.add_argument("--strip-refused", action="store_true", help="diagnostic: design refused specs without what was refused")
    parser.add_argument("-v", "--verbose", action="store_true", help="say what each unmet line found, list findings")
    args = parser.parse_args(argv)
    cases = discover(args.case)
    if args.lint:
        print(f"{len(cases)} cases, {sum(len(c.lines) for c in cases)} lines: checklists are well-formed")
        return 0
    results = [score(c, args.strip_refused) for c in cases]
    if args.json:
        print(json.dumps(report_json(results), indent=2))
    elif args.markdown:
        print(report_markdown(results))
    else:
        print(report_text(results, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
