"""Parts of ``docs/spec.md`` generated from the language itself, so the reference cannot drift.

The "Other spellings" table is rendered from ``aliases.py``; a test checks that the
committed document holds exactly this rendering, and that every key of every model is
documented.
"""

from __future__ import annotations

from backend_architect.spec.aliases import AUTH_VALUES, COMPLIANCE_VALUES, CONSISTENCY_VALUES, KEY_ALIASES, KEY_VALUES, KIND_VALUES, ON_DELETE_VALUES

START = "<!-- spellings:start (generated from src/backend_architect/spec/aliases.py) -->"
END = "<!-- spellings:end -->"

_LEVELS = {
    "spec": "top level",
    "scale": "`scale`",
    "team": "`team`",
    "constraints": "`constraints`",
    "entity": "an entity",
    "field": "a field (long form)",
    "use_case": "a use case",
}


def render_spellings() -> str:
    """The Markdown block listing every other spelling the loader reads, and what it reads it as."""
    lines = [START, "", "| where | you may write | read as |", "|---|---|---|"]
    for level, aliases in KEY_ALIASES.items():
        for alias, canonical in sorted(aliases.items()):
            lines.append(f"| {_LEVELS[level]} | `{alias}:` | `{canonical}:` |")
    values = (
        ("`auth:` value", AUTH_VALUES),
        ("`kind:` value", KIND_VALUES),
        ("`consistency:` value", CONSISTENCY_VALUES),
        ("`compliance:` value", COMPLIANCE_VALUES),
        ("`on_delete:` value", ON_DELETE_VALUES),
        ("entity `key:` value", {k: v for k, v in KEY_VALUES.items() if k != v}),
    )
    for where, table in values:
        for alias, canonical in sorted(table.items()):
            lines.append(f"| {where} | `{alias}` | `{canonical}` |")
    lines += ["", END]
    return "\n".join(lines)
