"""backend-architect over MCP (stdio): tools that take a spec, a document or SQL as text and return JSON.

A thin shell over the library: every tool runs the same functions as the CLI (``tools.py``),
in a worker process under a deadline (``backend_architect.jobs``), so a hostile input can
neither hang nor crash the server. Input problems come back as tool errors carrying the same
``line:col: message`` lines. Tools read only the text they are given; nothing here opens a
path supplied by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from backend_architect import __version__
from backend_architect.jobs import JobBusy, JobRefused, JobTimeout, shared_jobs
from backend_architect.mcp import tools
from backend_architect.mcp.loop_tools import register
from backend_architect.rules.registry import RULES, rule_by_code
from backend_architect.spec.schema_export import spec_json_schema

INSTRUCTIONS = (
    "Design backends from a compact YAML spec instead of writing designs freehand. The loop: draft (requirements -> spec, repaired from "
    "located errors), design (returns a design_id), list_decisions and critique, apply_overrides where the requirements call for another "
    "choice (with the reason), explain_decision for the numbers behind one, repeat until critique says clean, then artefacts (validated) "
    "to hand off. Every number comes from the engine. Review docker-compose topologies with review, OpenAPI documents with review_openapi, "
    "SQL schemas and migrations with review_sql, and compare two API versions with diff."
)

server = MCPServer(name="backend-architect", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")


def _run(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``function(*args)`` in a worker under the deadline; the library's refusals and the deadline become tool errors."""
    try:
        return shared_jobs().run(function, *args)
    except JobRefused as exc:
        raise ToolError("\n".join(exc.lines)) from None
    except (JobTimeout, JobBusy) as exc:
        raise ToolError(str(exc)) from None


@server.tool(
    description="Check a spec (YAML or JSON text). Returns its size when valid; otherwise an error listing every problem as spec.yaml:line:col: message."
)
def validate_spec(spec: str) -> dict[str, Any]:
    return _run(tools.validate_spec, spec)


@server.tool(description="Capacity figures of a spec: every rate, size, instance and cache number with its formula and inputs.")
def estimate_capacity(spec: str) -> dict[str, Any]:
    return _run(tools.estimate_capacity, spec)


@server.tool(description="Review a spec's design, or a docker-compose topology (YAML text): findings with code, severity, where and fix.")
def review(document: str) -> dict[str, Any]:
    return _run(tools.review, document)


@server.tool(
    description="Review an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON text) for design flaws: findings with code, severity, "
    "line:col, JSON pointer and fix, plus a Markdown report. $refs may only point inside the document."
)
def review_openapi(document: str) -> dict[str, Any]:
    return _run(tools.review_openapi, document)


@server.tool(
    description="Review SQL DDL text (PostgreSQL; SQLite or MySQL when dialect says so) for design flaws: findings with code, severity, "
    "line:col and a DDL fix, plus a Markdown report. Several files may be passed as a list of migrations, applied in order."
)
def review_sql(sql: str, dialect: Literal["postgresql", "sqlite", "mysql"] | None = None, migrations: list[str] | None = None) -> dict[str, Any]:
    return _run(tools.review_sql, sql, dialect, migrations)


@server.tool(
    description="Compare two versions of an OpenAPI document (YAML or JSON text), or with kind 'sql' of a database schema (DDL text): "
    "every change classified breaking, possibly-breaking or safe, located in both, whether a new major version is needed, and a Markdown report."
)
def diff(old: str, new: str, kind: Literal["openapi", "sql"] = "openapi", dialect: Literal["postgresql", "sqlite", "mysql"] | None = None) -> dict[str, Any]:
    return _run(tools.diff, old, new, kind, dialect)


@server.tool(description="Mermaid text of a spec's architecture flowchart, ER diagrams, or sequence diagrams of use cases that cross services.")
def render_diagram(spec: str, kind: Literal["architecture", "er", "sequence"] = "architecture") -> dict[str, Any]:
    return _run(tools.render_diagram, spec, kind)


@server.tool(description="Documentation of a review rule by code (SQL003) or name (missing-foreign-key-index).")
def explain_rule(code: str) -> dict[str, Any]:
    found = rule_by_code(code)
    if found is None:
        raise ToolError(f"unknown rule '{code[:80]}'; known: {', '.join(r.code for r in RULES)}")
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
