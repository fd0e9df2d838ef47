"""What the MCP server's tools compute: plain functions over text, run in worker processes under a deadline.

Each takes the tool's arguments and returns its JSON answer, raising ``InputError`` for input
the library refuses; ``server.py`` registers them with the MCP SDK and runs each through
``backend_architect.jobs``, so no tool call can stop the server.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from backend_architect.api import design_spec, diff_schema_texts, diff_texts, review_path
from backend_architect.errors import InputError, Location
from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture
from backend_architect.render.mermaid import crossing_flows, render_architecture, render_er
from backend_architect.render.sequence import render_sequence
from backend_architect.report import markdown as markdown_report
from backend_architect.report.changes import markdown as changes_markdown
from backend_architect.rules import registry
from backend_architect.rules.registry import RULES
from backend_architect.spec.load import LoadedSpec, load_spec_bytes
from backend_architect.spec.model import slug


def _load(spec: str) -> LoadedSpec:
    return load_spec_bytes(spec.encode(), "spec.yaml")


def validate_spec(spec: str) -> dict[str, Any]:
    loaded = _load(spec).spec
    return {"valid": True, "system": loaded.system, "entities": len(loaded.entities), "use_cases": len(loaded.use_cases)}


def design(spec: str, include_files: bool = False) -> dict[str, Any]:
    result = design_spec(_load(spec).spec)
    handoff = json.loads(result.files["handoff.json"])
    answer: dict[str, Any] = {
        "summary": handoff["summary"],
        "next_phase": handoff["next_phase"],
        "findings": handoff["review"]["findings"],
        "files": sorted(result.files),
        "markdown": result.files["design.md"],
    }
    if include_files:
        answer["file_contents"] = result.files
    return answer


def estimate_capacity(spec: str) -> dict[str, Any]:
    arch = design_spec(_load(spec).spec).architecture
    figures = [f.model_dump() for f in arch.figures]
    lines = ["| quantity | value | unit | formula |", "|---|---|---|---|"] + [
        f"| {f.quantity} | {f.value:,.4g} | {f.unit} | {f.formula} |" for f in arch.figures
    ]
    return {"figures": figures, "assumptions": arch.assumptions, "markdown": "\n".join(lines)}


def review(document: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.yaml"
        path.write_text(document, encoding="utf-8")
        try:
            result = review_path(path)
        except InputError as exc:
            raise InputError(Location("input.yaml", exc.location.line, exc.location.col), exc.message.replace(str(path), "input.yaml")) from None
    findings = [f.as_dict() for f in result.findings]
    for finding in findings:
        if "location" in finding:
            finding["location"]["file"] = "input.yaml"
    return {
        "kind": result.kind,
        "findings": findings,
        "markdown": markdown_report.render(result.findings, RULES, "input.yaml").replace(str(path), "input.yaml"),
    }


def review_openapi(document: str) -> dict[str, Any]:
    contract = import_openapi_text(document, "openapi.yaml")
    findings = registry.review(Architecture(system="api", contracts=[contract]))
    return {
        "version": contract.version,
        "operations": len(contract.operations),
        "findings": [f.as_dict() for f in findings],
        "markdown": markdown_report.render(findings, RULES, "openapi.yaml"),
    }


def review_sql(sql: str, dialect: str | None = None, migrations: list[str] | None = None) -> dict[str, Any]:
    # read from the text itself: no temporary file, so no path of this machine can appear in an answer
    from backend_architect.importers.sql import import_sql_migrations, import_sql_text

    if migrations:
        arch = import_sql_migrations([(f"{number:04d}_migration.sql", text) for number, text in enumerate(migrations, 1)], dialect)
    else:
        arch = import_sql_text(sql, "schema.sql", dialect)
    findings = [f.as_dict() for f in registry.review(arch)]
    tables = sum(len(s.tables) for s in arch.datastores)
    rows = ["| severity | rule | where | finding | fix |", "|---|---|---|---|---|"]
    rows += [f"| {f['severity']} | {f['code']} {f['rule']} | {f['where']} | {f['message']} | {f['fix']} |" for f in findings]
    return {"tables": tables, "findings": findings, "markdown": "\n".join(rows) if findings else "No findings."}


def diff(old: str, new: str, kind: str = "openapi", dialect: str | None = None) -> dict[str, Any]:
    result = diff_schema_texts(old, new, dialect) if kind == "sql" else diff_texts(old, new)
    return {
        "subject": result.subject,
        "verdict": result.verdict,
        "needs_major_version": result.needs_major_version,
        "bump": result.bump,
        "changes": [c.as_dict() for c in result.changes],
        "markdown": changes_markdown.render(result),
    }


def render_diagram(spec: str, kind: str = "architecture") -> dict[str, Any]:
    arch = design_spec(_load(spec).spec).architecture
    if kind == "architecture":
        diagrams = {"architecture": render_architecture(arch)}
    elif kind == "er":
        diagrams = {store.service or store.name: render_er(store) for store in arch.datastores}
    else:
        diagrams = {slug(flow.use_case): render_sequence(arch, flow) for flow in crossing_flows(arch)}
    return {"diagrams": diagrams}
