"""Findings as GitHub Actions workflow commands: annotations on the pull request's lines.

GitHub shows at most 10 error and 10 warning annotations per step, so this reporter
annotates the worst findings up to that cap per level and ends with one notice that
counts them all, so nothing is silently lost.
"""

from __future__ import annotations

from backend_architect.rules.model import Finding, Rule, Severity

#: Annotations GitHub displays per level and step.
CAP_PER_LEVEL = 10
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def command_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    lines = []
    shown = dict.fromkeys(Severity, 0)
    for finding in sorted(findings, key=lambda f: (-f.severity, (f.location.file, f.location.line, f.location.col) if f.location else ("", 0, 0), f.code)):
        if shown[finding.severity] >= CAP_PER_LEVEL:
            continue
        shown[finding.severity] += 1
        at = finding.location
        place = [f"file={command_property(at.file)}", f"line={at.line}", f"col={at.col}"] if at else []
        if at is not None and at.end_line is not None and at.end_col is not None:
            # GitHub marks a column range only within one line
            place += [f"endLine={at.end_line}"] + ([f"endColumn={at.end_col}"] if at.end_line == at.line else [])
        title = command_property(f"{finding.code} {finding.rule}")
        lines.append(f"::{_COMMAND[finding.severity]} {','.join([*place, f'title={title}'])}::{command_data(f'{finding.where}: {finding.message}')}")
    counts = ", ".join(f"{sum(1 for f in findings if f.severity is s)} {s}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    hidden = len(findings) - sum(shown.values())
    summary = f"{target}: {len(findings)} finding(s) ({counts}) from {len(rules)} rules"
    if hidden:
        summary += f"; {hidden} not annotated (GitHub shows {CAP_PER_LEVEL} per level): run with --format text or sarif for all"
    lines.append(f"::notice title=backend-architect::{command_data(summary)}")
    return "\n".join(lines) + "\n"
