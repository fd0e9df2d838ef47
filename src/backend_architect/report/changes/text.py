"""Changes for a terminal: breaking first, each with where it is in both versions, then the verdict."""

from __future__ import annotations

from backend_architect.diff.model import DiffResult, Impact

_COLOURS = {Impact.BREAKING: "\x1b[1;31m", Impact.POSSIBLY_BREAKING: "\x1b[33m", Impact.SAFE: "\x1b[32m"}
_RESET = "\x1b[0m"


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False) -> str:
    """The report; ``view="breaking"`` lists only what may break clients, ``quiet`` leaves out everything but the changes."""
    lines = []
    shown = result.shown(view)
    for impact in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE):
        group = [c for c in shown if c.impact is impact]
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
    if quiet:
        return "\n".join(lines) + ("\n" if lines else "")
    if result.accepted:
        lines.append(f"accepted ({len(result.accepted)})")
        lines += [f"  {a.change.where}: {a.change.message} [{a.change.code}] -- {a.reason} (until {a.expires})" for a in result.accepted]
        lines.append("")
    lines += [f"note: {message}" for message in result.stale]
    if result.version is not None and result.subject == "api":
        lines.append(result.version.message)
    counts = ", ".join(f"{result.count(i)} {i}" for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE))
    accepted = f", {len(result.accepted)} accepted" if result.accepted else ""
    lines.append(f"{result.old} -> {result.new}: {len(result.changes)} change(s) ({counts}{accepted}); {result.verdict}")
    return "\n".join(lines) + "\n"
