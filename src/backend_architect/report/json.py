"""Findings as JSON, for scripts and CI."""

from __future__ import annotations

import json

from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    document = {"target": target, "rules_checked": len(rules), "findings": [f.as_dict() for f in findings]}
    return json.dumps(document, indent=2) + "\n"
