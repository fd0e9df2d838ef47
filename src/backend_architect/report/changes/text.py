"""Changes for a terminal: breaking first, each with where it is in both versions, then the verdict."""

from __future__ import annotations

from backend_architect.diff.model import DiffResult, Impact

_COLOURS = {Impact.BREAKING: "\x1b[1;31m", Impact.POSSIBLY_BREAKING: "\x1b[33m", Impact.SAFE: "\x1b[32m"}
_RESET = "\x1b[0m"


def render(result: DiffResult, *, color: bool = False) -> str:
    lines = []
    for impact in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE):
        group = [c for c in result.changes if c.impact is impact]
        if not group:
            continue
        title = f"{impact} ({len(group)})"
        lines.append(f"{_COLOURS[impact]}{title}{_RESET}" if color else title)
        for change in group:
            lines.append(f"  {change.where}: {change.message} [{change.code}]")
            places = [f"{side} {location}" for side, location in (("old", change.old_location), ("new", change.new_location)) if location]
            if places:
                lines.append(f"    at {', '.join(places)}")
        lines.append("")
    counts = ", ".join(f"{result.count(i)} {i}" for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE))
    lines.append(f"{result.old} -> {result.new}: {len(result.changes)} change(s) ({counts}); {result.verdict}")
    return "\n".join(lines) + "\n"
