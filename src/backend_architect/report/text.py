"""Findings for a terminal: grouped by where they are, worst first, with the source line and the fix."""

from __future__ import annotations

import linecache

from backend_architect.rules.model import Finding, Rule, Severity

_COLOURS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"
_MAX_SOURCE = 120


def source_line(finding: Finding) -> str | None:
    """The line of the input the finding points at, trimmed; None when there is none to show."""
    location = finding.location
    if location is None or location.line < 1:
        return None
    line = linecache.getline(location.file, location.line).rstrip("\n")
    if not line.strip():
        return None
    return line if len(line) <= _MAX_SOURCE else line[:_MAX_SOURCE] + "…"


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False, quiet: bool = False) -> str:
    """The report; ``quiet`` keeps only the findings' lines (nothing at all when there are none)."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    if quiet:
        return "".join(f"{f.location or f.where}: {paint(f'{f.severity}[{f.code}]', _COLOURS[f.severity])} {f.rule}: {f.message}\n" for f in findings)
    if not findings:
        return f"{target}: no findings ({len(rules)} rules checked)\n"
    lines = []
    by_where: dict[str, list[Finding]] = {}
    for finding in findings:
        by_where.setdefault(finding.where, []).append(finding)
    for where in sorted(by_where):
        lines.append(paint(where, _BOLD))
        for finding in sorted(by_where[where], key=lambda f: (-f.severity, f.code, f.message)):
            at = f"{finding.location}: " if finding.location else ""
            label = paint(f"{finding.severity}[{finding.code}]", _COLOURS[finding.severity])
            evidence = f" [{finding.evidence}]" if finding.evidence and finding.evidence != "static" else ""
            lines.append(f"  {at}{label} {finding.rule}: {finding.message}{evidence}")
            source = source_line(finding)
            if source is not None:
                lines.append(paint(f"    | {source}", _DIM))
            if finding.fix:
                lines.append(f"    fix: {finding.fix}")
    linecache.clearcache()
    counts = {str(s): sum(1 for f in findings if f.severity is s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    lines.append(f"\n{target}: {len(findings)} finding(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return "\n".join(lines) + "\n"
