"""Changes as Markdown, for a pull-request comment: the verdict, then a table, breaking first."""

from __future__ import annotations

from backend_architect.diff.model import DiffResult, Impact


def render(result: DiffResult, *, color: bool = False) -> str:
    verdict = result.verdict[0].upper() + result.verdict[1:] + "."
    if result.needs_major_version:
        verdict = f"**{verdict}**"
    counts = ", ".join(f"{result.count(i)} {i}" for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE))
    lines = [f"## {result.title}: `{result.old}` → `{result.new}`", "", f"{verdict} {len(result.changes)} change(s): {counts}.", ""]
    if result.changes:
        lines += ["| impact | where | change | old | new |", "|---|---|---|---|---|"]
        for change in sorted(result.changes, key=lambda c: (-c.impact, c.where, c.code)):
            cells = [str(change.impact), change.where, f"{change.message} (`{change.code}`)", str(change.old_location or ""), str(change.new_location or "")]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join([*lines, ""])
