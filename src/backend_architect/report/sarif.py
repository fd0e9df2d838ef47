"""Findings as SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

What code scanning needs from a log beyond the findings: file URIs relative to the
repository (``uriBaseId: %SRCROOT%``, the checkout's root given in
``originalUriBaseIds``) so annotations land on the pull request's files; regions with an
end, so the right text is underlined; a ``partialFingerprints`` entry that does not
contain the line, so a finding keeps its identity (and its dismissal) when lines above it
move; and for each rule a ``helpUri`` and ``help.markdown``, shown beside the alert.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from backend_architect import __version__
from backend_architect.errors import Location
from backend_architect.rules.model import Finding, Rule, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
REPOSITORY = "https://github.com/backend-architect/backend-architect"
RULES_DOC = f"{REPOSITORY}/blob/main/docs/rules.md"
FINGERPRINT = "backendArchitect/v1"
SRCROOT = "%SRCROOT%"


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False, root: str | None = None) -> str:
    """The SARIF log; ``root`` is the folder URIs are relative to (default: the current folder)."""
    index = {r.code: i for i, r in enumerate(rules)}
    base = Path(root or os.getcwd()).resolve()
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.message} ({f.where})"},
            "locations": [{"physicalLocation": physical(f.location, target, base), "logicalLocations": [{"fullyQualifiedName": f.where}]}],
            "partialFingerprints": {FINGERPRINT: fingerprint(f.code, f.where, f.message, f.location.file if f.location else target)},
        }
        if f.pointer is not None:
            result["properties"] = {"jsonPointer": f.pointer}
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    driver = {
        "name": "backend-architect",
        "version": __version__,
        "informationUri": REPOSITORY,
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.doc or r.title},
                "helpUri": f"{RULES_DOC}#{r.code.lower()}",
                "help": {"text": r.fix, "markdown": f"{r.doc or r.title}\n\n**Fix:** {r.fix}"},
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
            }
            for r in rules
        ],
    }
    return log(driver, results, base)


def log(driver: dict[str, Any], results: list[dict[str, Any]], base: Path) -> str:
    run = {"tool": {"driver": driver}, "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri() + "/"}}, "results": results}
    document = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def physical(location: Location | None, fallback: str, base: Path) -> dict[str, Any]:
    """A physical location: the file relative to ``base`` when it is inside it, and the region with its end when known."""
    found: dict[str, Any] = {"artifactLocation": artifact(location.file if location else fallback, base)}
    if location is not None:
        region: dict[str, Any] = {"startLine": location.line, "startColumn": location.col}
        if location.end_line is not None and location.end_col is not None:
            region["endLine"] = location.end_line
            region["endColumn"] = location.end_col
        found["region"] = region
    return found


def artifact(file: str, base: Path) -> dict[str, Any]:
    """A file as SARIF names it: relative to the checkout (``%SRCROOT%``) when inside it, else as it was given."""
    if "://" in file:
        return {"uri": file}  # a database URL (already redacted): not a file of the checkout
    path = Path(file)
    try:
        relative = (path if path.is_absolute() else Path.cwd() / path).resolve().relative_to(base)
    except (ValueError, OSError):
        return {"uri": path.resolve().as_uri() if path.is_absolute() else quote(path.as_posix())}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def fingerprint(*parts: str) -> str:
    """A stable identity without line numbers: what was found, where (by name) and in which file.

    >>> len(fingerprint("API018", "GET /pets", "verb in path", "api.yaml"))
    32
    """
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
