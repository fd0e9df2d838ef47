"""Findings counted per rule (``--statistics``): what to fix first, or what to turn off, at a glance.

>>> from backend_architect.rules.registry import rule_by_code
>>> rule = rule_by_code("SQL001")
>>> print(render([rule.finding("public.t", "no key")] * 2, (rule,), "s.sql"), end="")
2  SQL001  [error]  missing-primary-key  Table has no primary key
Found 2 findings from 1 rule.
"""

from __future__ import annotations

from collections import Counter

from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    counts = Counter(f.code for f in findings)
    by_code = {r.code: r for r in rules}
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(finding.code, finding)
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = by_code.get(code)
        finding = first[code]
        title = rule.title if rule else finding.rule
        lines.append(f"{count:>{width}}  {code}  [{finding.severity}]  {finding.rule}  {title}")
    rules_counted = len(counts)
    lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} from {rules_counted} rule{'s' if rules_counted != 1 else ''}.")
    return "\n".join(lines) + "\n"
