"""backend-architect over MCP (stdio): tools that take a spec or topology as text and return JSON.

A thin shell over the library: every tool calls the same functions as the CLI, and input
problems come back as tool errors carrying the same ``line:col: message`` lines. Tools read
only the text they are given; nothing here opens a path supplied by the caller.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from backend_architect import __version__
from backend_architect.api import design_spec, diff_schema_texts, diff_texts, review_path
from backend_architect.errors import InputError
from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture
from backend_architect.mcp.loop_tools import register
from backend_architect.render.mermaid import crossing_flows, render_architecture, render_er, render_sequence
from backend_architect.report import markdown as markdown_report
from backend_architect.report.changes import markdown as changes_markdown
from backend_architect.rules import registry
from backend_architect.rules.registry import RULES, rule_by_code
from backend_architect.spec.load import LoadedSpec, load_spec_bytes
from backend_architect.spec.model import slug
from backend_architect.spec.schema_export import spec_json_schema

INSTRUCTIONS = (
    "Design backends from a compact YAML spec instead of writing designs freehand. The loop: draft (requirements -> spec, repaired from "
    "located errors), design (returns a design_id), list_decisions and critique, apply_overrides where the requirements call for another "
    "choice (with the reason), explain_decision for the numbers behind one, repeat until critique says clean, then artefacts (validated) "
    "to hand off. Every number comes from the engine. Review docker-compose topologies with review, OpenAPI documents with review_openapi, "
    "SQL schemas and migrations with review_sql, and compare two API versions with diff."
)

server = MCPServer(name="backend-architect", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")


def _load(spec: str) -> LoadedSpec:
    try:
        return load_spec_bytes(spec.encode(), "spec.yaml")
    except InputError as exc:
        raise ToolError(str(exc)) from None


@server.tool(
    description="Check a spec (YAML or JSON text). Returns its size when valid; otherwise an error listing every problem as spec.yaml:line:col: message."
)
def validate_spec(spec: str) -> dict[str, Any]:
    loaded = _load(spec).spec
    return {"valid": True, "system": loaded.system, "entities": len(loaded.entities), "use_cases": len(loaded.use_cases)}


@server.tool(description="Capacity figures of a spec: every rate, size, instance and cache number with its formula and inputs.")
def estimate_capacity(spec: str) -> dict[str, Any]:
    arch = design_spec(_load(spec).spec).architecture
    figures = [f.model_dump() for f in arch.figures]
    lines = ["| quantity | value | unit | formula |", "|---|---|---|---|"] + [
        f"| {f.quantity} | {f.value:,.4g} | {f.unit} | {f.formula} |" for f in arch.figures
    ]
    return {"figures": figures, "assumptions": arch.assumptions, "markdown": "\n".join(lines)}


@server.tool(description="Review a spec's design, or a docker-compose topology (YAML text): findings with code, severity, where and fix.")
def review(document: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.yaml"
        path.write_text(document, encoding="utf-8")
        try:
            result = review_path(path)
        except InputError as exc:
            raise ToolError(str(exc).replace(str(path), "input.yaml")) from None
    findings = [f.as_dict() for f in result.findings]
    for finding in findings:
        if "location" in finding:
            finding["location"]["file"] = "input.yaml"
    return {
        "kind": result.kind,
        "findings": findings,
        "markdown": markdown_report.render(result.findings, RULES, "input.yaml").replace(str(path), "input.yaml"),
    }


@server.tool(
    description="Review an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON text) for design flaws: findings with code, severity, "
    "line:col, JSON pointer and fix, plus a Markdown report. $refs may only point inside the document."
)
def review_openapi(document: str) -> dict[str, Any]:
    try:
        contract = import_openapi_text(document, "openapi.yaml")
        findings = registry.review(Architecture(system="api", contracts=[contract]))
    except InputError as exc:
        raise ToolError(str(exc)) from None
    except RecursionError:
        raise ToolError("openapi.yaml: a schema nests too deep to review") from None
    return {
        "version": contract.version,
        "operations": len(contract.operations),
        "findings": [f.as_dict() for f in findings],
        "markdown": markdown_report.render(findings, RULES, "openapi.yaml"),
    }


@server.tool(
    description="Review SQL DDL text (PostgreSQL; SQLite or MySQL when dialect says so) for design flaws: findings with code, severity, "
    "line:col and a DDL fix, plus a Markdown report. Several files may be passed as a list of migrations, applied in order."
)
def review_sql(sql: str, dialect: Literal["postgresql", "sqlite", "mysql"] | None = None, migrations: list[str] | None = None) -> dict[str, Any]:
    from backend_architect.importers.sql import import_sql

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sql"
        root.mkdir()
        texts = migrations if migrations else [sql]
        for number, text in enumerate(texts, 1):
            (root / (f"{number:04d}_migration.sql" if migrations else "schema.sql")).write_text(text, encoding="utf-8")
        try:
            arch = import_sql(root if migrations else root / "schema.sql", dialect)
        except InputError as exc:
            raise ToolError(str(exc).replace(f"{root}/", "")) from None
        findings = [f.as_dict() for f in registry.review(arch)]
    for finding in findings:
        if "location" in finding:
            finding["location"]["file"] = finding["location"]["file"].replace(f"{root}/", "")
    tables = sum(len(s.tables) for s in arch.datastores)
    rows = ["| severity | rule | where | finding | fix |", "|---|---|---|---|---|"]
    rows += [f"| {f['severity']} | {f['code']} {f['rule']} | {f['where']} | {f['message']} | {f['fix']} |" for f in findings]
    return {"tables": tables, "findings": findings, "markdown": "\n".join(rows) if findings else "No findings."}


@server.tool(
    description="Compare two versions of an OpenAPI document (YAML or JSON text), or with kind 'sql' of a database schema (DDL text): "
    "every change classified breaking, possibly-breaking or safe, located in both, whether a new major version is needed, and a Markdown report."
)
def diff(old: str, new: str, kind: Literal["openapi", "sql"] = "openapi", dialect: Literal["postgresql", "sqlite", "mysql"] | None = None) -> dict[str, Any]:
    try:
        result = diff_schema_texts(old, new, dialect) if kind == "sql" else diff_texts(old, new)
    except InputError as exc:
        raise ToolError(str(exc)) from None
    return {
        "subject": result.subject,
        "verdict": result.verdict,
        "needs_major_version": result.needs_major_version,
        "bump": result.bump,
        "changes": [c.as_dict() for c in result.changes],
        "markdown": changes_markdown.render(result),
    }


@server.tool(description="Mermaid text of a spec's architecture flowchart, ER diagrams, or sequence diagrams of use cases that cross services.")
def render_diagram(spec: str, kind: Literal["architecture", "er", "sequence"] = "architecture") -> dict[str, Any]:
    arch = design_spec(_load(spec).spec).architecture
    if kind == "architecture":
        diagrams = {"architecture": render_architecture(arch)}
    elif kind == "er":
        diagrams = {store.service or store.name: render_er(store) for store in arch.datastores}
    else:
        diagrams = {slug(flow.use_case): render_sequence(arch, flow) for flow in crossing_flows(arch)}
    return {"diagrams": diagrams}


@server.tool(description="Documentation of a review rule by code (SQL003) or name (missing-foreign-key-index).")
def explain_rule(code: str) -> dict[str, Any]:
    found = rule_by_code(code)
    if found is None:
        raise ToolError(f"unknown rule '{code}'; known: {', '.join(r.code for r in RULES)}")
    return {"code": found.code, "name": found.name, "severity": str(found.severity), "title": found.title, "doc": found.doc, "fix": found.fix}


@server.resource("backend-architect://spec-schema", mime_type="application/json", description="JSON Schema of the spec language.")
def spec_schema() -> str:
    return json.dumps(spec_json_schema(), indent=2)


@server.resource("backend-architect://rules", mime_type="application/json", description="The review rule catalogue.")
def rule_catalogue() -> str:
    return json.dumps([{"code": r.code, "name": r.name, "severity": str(r.severity), "title": r.title, "fix": r.fix} for r in RULES], indent=2)


register(server)


def serve() -> None:
    """Serve over stdio until the client disconnects."""
    server.run("stdio")
