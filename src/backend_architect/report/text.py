"""Findings for a terminal: grouped by where they are, worst first, with the fix."""

from __future__ import annotations

from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str) -> str:
    if not findings:
        return f"{target}: no findings ({len(rules)} rules checked)\n"
    lines = []
    for where in sorted({f.where for f in findings}):
        lines.append(where)
        for finding in sorted((f for f in findings if f.where == where), key=lambda f: (-f.severity, f.code, f.message)):
            at = f"{finding.location}: " if finding.location else ""
            lines.append(f"  {at}{finding.severity}[{finding.code}] {finding.rule}: {finding.message}")
            if finding.fix:
                lines.append(f"    fix: {finding.fix}")
    counts = {str(s): sum(1 for f in findings if str(f.severity) == str(s)) for s in ("error", "warning", "info")}
    lines.append(f"\n{target}: {len(findings)} finding(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return "\n".join(lines) + "\n"
