"""Findings as SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
from typing import Any

from backend_architect import __version__
from backend_architect.rules.model import Finding, Rule, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    index = {r.code: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in findings:
        location = f.location
        physical: dict[str, Any] = {"artifactLocation": {"uri": location.file if location else target}}
        if location is not None:
            physical["region"] = {"startLine": location.line, "startColumn": location.col}
            if location.end_line is not None and location.end_col is not None:
                physical["region"].update(endLine=location.end_line, endColumn=location.end_col)
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.message} ({f.where})"},
            "locations": [{"physicalLocation": physical, "logicalLocations": [{"fullyQualifiedName": f.where}]}],
        }
        if f.pointer is not None:
            result["properties"] = {"jsonPointer": f.pointer}
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    driver = {
        "name": "backend-architect",
        "version": __version__,
        "informationUri": "https://github.com/backend-architect/backend-architect",
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.doc or r.title},
                "help": {"text": r.fix},
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
            }
            for r in rules
        ],
    }
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2) + "\n"
