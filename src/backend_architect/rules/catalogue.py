"""The rule catalogue as one Markdown page (``docs/rules.md``): what SARIF's ``helpUri`` links to, one anchor per rule."""

from __future__ import annotations

from backend_architect.rules.model import Rule

_FAMILIES = {"API": "OpenAPI documents", "SQL": "SQL schemas, migrations and live databases", "TOP": "Topologies", "SUP": "Suppressions"}


def render_rules_markdown(rules: tuple[Rule, ...]) -> str:
    """Every rule with its code, name, severity, tier, documentation and fix; anchors are the lowercase codes."""
    lines = [
        "# Review rules",
        "",
        "Generated from the rule registry (`backend-architect rules --markdown`); each rule's section is what",
        "`backend-architect rules show CODE` prints. Rules in the *recommended* tier run by default, *all*-tier rules",
        "when selected (`--select`, `--extend-select`, or `ALL`), *preview* rules with `--preview`.",
        "",
    ]
    for prefix, family in _FAMILIES.items():
        members = [r for r in rules if r.code.startswith(prefix)]
        if not members:
            continue
        lines += [f"## {family}", "", "| code | name | severity | tier | title |", "|---|---|---|---|---|"]
        lines += [f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} | {r.tier} | {r.title} |" for r in members]
        lines.append("")
    for rule in rules:
        doc = "\n".join(("###" + line[2:]) if line.startswith("## ") else line for line in (rule.doc or rule.title).splitlines())
        lines += [
            f'<a id="{rule.code.lower()}"></a>',
            "",
            f"## {rule.code} {rule.name}",
            "",
            f"{rule.title}. Severity **{rule.severity}**, tier **{rule.tier}**.",
            "",
            doc,
            "",
            f"**Fix:** {rule.fix}",
            "",
        ]
    return "\n".join(lines)
