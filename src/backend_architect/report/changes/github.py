"""Changes as GitHub Actions workflow commands: breaking changes as error annotations on the lines that make them.

GitHub shows at most 10 annotations per level and step, so the worst changes are annotated
up to that cap and one notice counts them all.
"""

from __future__ import annotations

from backend_architect.diff.model import DiffResult, Impact
from backend_architect.report.github import CAP_PER_LEVEL, command_data, command_property

_COMMAND = {Impact.BREAKING: "error", Impact.POSSIBLY_BREAKING: "warning", Impact.SAFE: "notice"}


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False) -> str:
    lines = []
    shown = dict.fromkeys(Impact, 0)
    changes = result.shown(view)
    for change in sorted(changes, key=lambda c: (-c.impact, c.where, c.code)):
        if shown[change.impact] >= CAP_PER_LEVEL:
            continue
        shown[change.impact] += 1
        location = change.new_location or change.old_location
        place = [f"file={command_property(location.file)}", f"line={location.line}", f"col={location.col}"] if location else []
        if location is not None and location.end_line is not None and location.end_col is not None:
            place += [f"endLine={location.end_line}", f"endColumn={location.end_col}"]
        title = command_property(f"{change.impact}: {change.code}")
        lines.append(f"::{_COMMAND[change.impact]} {','.join([*place, f'title={title}'])}::{command_data(f'{change.where}: {change.message}')}")
    hidden = len(changes) - sum(shown.values())
    counts = ", ".join(f"{result.count(i)} {i}" for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE))
    summary = f"{result.old} -> {result.new}: {len(result.changes)} change(s) ({counts}); {result.verdict}"
    if hidden:
        summary += f"; {hidden} not annotated (GitHub shows {CAP_PER_LEVEL} per level): run with --format text or sarif for all"
    lines.append(f"::notice title=backend-architect diff::{command_data(summary)}")
    return "\n".join(lines) + "\n"
