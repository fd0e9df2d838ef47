"""The MCP server, driven end to end by the official SDK's client over stdio."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from backend_architect.agent.files import TOOLS
from conftest import ROOT

BOOKSTORE = (ROOT / "examples" / "bookstore.yaml").read_text()
COMPOSE = (ROOT / "examples" / "topology" / "docker-compose.yml").read_text()
API = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
paths:
  /v1/pets/:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer, maximum: 100}}]
      responses: {'200': {description: ok}}
"""


async def _session_calls() -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "backend_architect.cli", "mcp"])
    out: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        out["tools"] = sorted(t.name for t in (await session.list_tools()).tools)
        out["resources"] = sorted(str(r.uri) for r in (await session.list_resources()).resources)
        out["valid"] = await session.call_tool("validate_spec", {"spec": BOOKSTORE})
        out["invalid"] = await session.call_tool("validate_spec", {"spec": "system: x\nentities:\n  A: {fields: {n: strnig}}\n"})
        out["design"] = await session.call_tool("design", {"spec": BOOKSTORE})
        out["capacity"] = await session.call_tool("estimate_capacity", {"spec": BOOKSTORE})
        out["review"] = await session.call_tool("review", {"document": COMPOSE})
        out["diagram"] = await session.call_tool("render_diagram", {"spec": BOOKSTORE, "kind": "sequence"})
        out["rule"] = await session.call_tool("explain_rule", {"code": "SQL003"})
        out["review_openapi"] = await session.call_tool("review_openapi", {"document": API})
        out["refused_ref"] = await session.call_tool(
            "review_openapi", {"document": API.replace("{type: integer", "{$ref: 'file:///etc/passwd#/x', type: integer")}
        )
        out["review_sql"] = await session.call_tool("review_sql", {"sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id serial PRIMARY KEY, at timestamp);\n"})
        out["review_migrations"] = await session.call_tool(
            "review_sql",
            {"sql": "", "migrations": ["CREATE TABLE a (id int PRIMARY KEY, b int);\n", "CREATE INDEX ix ON a (b);\nALTER TABLE a ADD COLUMN c int;\n"]},
        )
        out["review_sql_broken"] = await session.call_tool(
            "review_sql", {"sql": "CREATE TABLE a (id int PRIMARY KEY, s text DEFAULT 'open);\n", "dialect": "sqlite"}
        )
        out["diff"] = await session.call_tool("diff", {"old": API, "new": API.replace("maximum: 100", "maximum: 10")})
        out["diff_sql"] = await session.call_tool(
            "diff", {"old": "CREATE TABLE t (id int PRIMARY KEY, a text);\n", "new": "CREATE TABLE t (id int PRIMARY KEY);\n", "kind": "sql"}
        )
        out["diff_sql_broken"] = await session.call_tool("diff", {"old": "CREATE TABLE t (id int,,);\n", "new": "", "kind": "sql"})
        out["schema"] = await session.read_resource("backend-architect://spec-schema")
    return out


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return dict(result.structured_content)


def test_mcp_server_end_to_end_ok() -> None:
    """Every tool answers over stdio with JSON; input errors come back as tool errors with line:col messages."""
    out = asyncio.run(_session_calls())
    assert out["tools"] == sorted(TOOLS)
    assert out["resources"] == ["backend-architect://rules", "backend-architect://spec-schema"]
    assert _structured(out["valid"]) == {"valid": True, "system": "bookstore", "entities": 6, "use_cases": 13}
    assert out["invalid"].is_error
    assert "spec.yaml:3:19: 'n': unknown field type 'strnig' (did you mean 'string'?)" in out["invalid"].content[0].text
    designed = _structured(out["design"])
    assert designed["summary"]["services"] == ["books", "customers", "orders"]
    assert designed["design_id"].startswith("d-")
    assert designed["markdown"].startswith(f"# bookstore: design `{designed['design_id']}`")
    assert "openapi/books.yaml" in designed["files"]
    assert any(f["key"] == "qps.peak.browse-books" for f in _structured(out["capacity"])["figures"])
    assert {f["code"] for f in _structured(out["review"])["findings"]} == {"TOP002", "TOP004", "TOP005"}
    assert _structured(out["review"])["markdown"].startswith("## Review of `input.yaml`")
    assert _structured(out["diagram"])["diagrams"]["place-order"].startswith("sequenceDiagram")
    assert _structured(out["rule"])["name"] == "missing-foreign-key-index"
    assert json.loads(out["schema"].contents[0].text)["title"] == "backend-architect spec"
    reviewed = _structured(out["review_openapi"])
    slash = next(f for f in reviewed["findings"] if f["code"] == "API017")
    assert (slash["location"]["line"], slash["pointer"]) == (4, "/paths/~1v1~1pets~1")
    assert reviewed["markdown"].startswith("## Review of `openapi.yaml`")
    assert out["refused_ref"].is_error
    assert "openapi.yaml:6:54: $ref to a URL (file:///etc/passwd) is not followed" in out["refused_ref"].content[0].text
    sql = _structured(out["review_sql"])
    assert sql["tables"] == 2
    located = [(f["code"], {k: v for k, v in f.get("location", {}).items() if k in {"file", "line", "col"}}) for f in sql["findings"]]
    assert ("SQL001", {"file": "schema.sql", "line": 1, "col": 1}) in located
    assert {"SQL006", "SQL007", "SQL009"} <= {f["code"] for f in sql["findings"]}
    migrated = _structured(out["review_migrations"])
    assert {(f["code"], f["location"]["file"]) for f in migrated["findings"] if f["code"] in {"SQL101", "SQL107"}} == {
        ("SQL101", "0002_migration.sql"),
        ("SQL107", "0002_migration.sql"),
    }
    broken = _structured(out["review_sql_broken"])
    assert [(f["code"], f["location"]["line"], f["location"]["col"]) for f in broken["findings"] if f["code"] == "SQL000"] == [("SQL000", 1, 52)]
    every_answer = json.dumps([migrated, sql, broken])
    assert tempfile.gettempdir() not in every_answer, "no path of the server's machine in an answer"
    changed = _structured(out["diff"])
    assert changed["needs_major_version"] is True
    assert changed["changes"][0]["code"] == "request-parameter-maximum-decreased"
    assert "**Needs a new major version.**" in changed["markdown"]
    schema_change = _structured(out["diff_sql"])["changes"]
    assert schema_change == [
        {
            "impact": "breaking",
            "code": "column-removed",
            "where": "public.t.a",
            "message": "column a removed: drops the column's data",
            "old": {"file": "old.sql", "line": 1, "col": 37},  # the removed column's own definition
            "new": {"file": "new.sql", "line": 1, "col": 1},
        }
    ]
    assert out["diff_sql_broken"].is_error
    assert "old.sql:1:24: cannot parse statement" in out["diff_sql_broken"].content[0].text


async def _deadline_calls() -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "backend_architect.cli", "mcp", "--deadline", "0.05"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        slow = await session.call_tool("design", {"spec": (ROOT / "examples" / "chat.yaml").read_text()})
        after = await session.call_tool("explain_rule", {"code": "API060"})
    return {"slow": slow, "after": after}


def test_mcp_tool_past_its_deadline_is_stopped_err() -> None:
    """A tool call longer than the server's deadline is stopped with a tool error, and the server answers the next call."""
    out = asyncio.run(_deadline_calls())
    assert out["slow"].is_error
    assert "took longer than 0.05 s" in out["slow"].content[0].text
    assert _structured(out["after"])["name"] == "invalid-pattern"
