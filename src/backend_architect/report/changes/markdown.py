"""Changes as Markdown, for a pull-request comment: the verdict, then a table, breaking first."""

from __future__ import annotations

from backend_architect.diff.model import DiffResult, Impact


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False) -> str:
    verdict = result.verdict[0].upper() + result.verdict[1:] + "."
    if result.needs_major_version:
        verdict = f"**{verdict}**"
    counts = ", ".join(f"{result.count(i)} {i}" for i in (Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE))
    lines = [f"## {result.title}: `{result.old}` → `{result.new}`", "", f"{verdict} {len(result.changes)} change(s): {counts}.", ""]
    if result.version is not None and result.subject == "api":
        lines += [f"`{result.version.message}`", ""]
    shown = result.shown(view)
    if shown:
        lines += ["| impact | where | change | old | new |", "|---|---|---|---|---|"]
        for change in sorted(shown, key=lambda c: (-c.impact, c.where, c.code)):
            cells = [str(change.impact), change.where, f"{change.message} (`{change.code}`)", str(change.old_location or ""), str(change.new_location or "")]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    if result.accepted:
        lines += ["### Accepted", "", "| where | change | reason | until |", "|---|---|---|---|"]
        for accepted in result.accepted:
            cells = [accepted.change.where, f"{accepted.change.message} (`{accepted.change.code}`)", accepted.reason, accepted.expires]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    lines += [f"> {message}" for message in result.stale]
    return "\n".join([*lines, ""])
