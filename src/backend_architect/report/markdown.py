"""Findings as a Markdown table, for pull-request comments."""

from __future__ import annotations

from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    lines = [f"## Review of `{target}`", ""]
    if not findings:
        return "\n".join([*lines, f"No findings ({len(rules)} rules checked).", ""])
    lines += ["| severity | rule | where | finding | fix |", "|---|---|---|---|---|"]
    for f in sorted(findings, key=lambda f: (-f.severity, f.code, f.where)):
        cells = [str(f.severity), f"{f.code} {f.rule}", f.where + (f" ({f.location})" if f.location else ""), f.message, f.fix]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join([*lines, ""])
