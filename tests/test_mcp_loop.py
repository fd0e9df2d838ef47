"""The agent loop over MCP, end to end with the official SDK client over stdio, driven by a scripted agent.

The script is deterministic: it drafts a spec with a typo, repairs it from the located error the
draft tool returns, designs it, reads the decisions and the critic, overrides one decision with a
reason, sees it re-derived and weighed by the critic, and fetches the artefacts, which it then
checks with the real consumers (OpenAPI validator, SQLite, PostgreSQL's parser, the hand-off
schema). Bad arguments come back as tool errors with located messages.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sqlite3
import sys
from typing import Any

import jsonschema
import pglast
import pytest
import yaml
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from openapi_spec_validator import validate

from backend_architect.render.handoff_model import handoff_json_schema_text

REQUIREMENTS = """\
Short links that redirect to long URLs. Users sign up with their email and create links (about 50 a second at peak);
anyone may open a link (about 20,000 redirects a second); a user lists their own links. A team of four builds it.
Link targets never change, so a redirect may be an hour stale.
"""

#: What the scripted agent writes first: one typo ('strng'), which the loader locates and suggests the fix for.
FIRST_DRAFT = """\
system: linkshort
description: Short links that redirect to long URLs.
notes: |
  Assumption: redirects peak at three times their average.
team: {size: 4}
scale: {users: 5M, peak_factor: 3}
entities:
  User:
    fields: {email: {type: email, pii: true, unique: true}}
  Link:
    key: short_code
    fields: {target: strng(2000), owner: ref(User), clicks: integer}
use_cases:
  - {name: create link, actor: user, writes: [Link], rate: 50/s}
  - {name: open link, actor: visitor, auth: none, reads: [Link], rate: 20k/s, staleness: 1h}
  - {name: list my links, actor: user, reads: [Link], filter: [owner], owner_only: true, rate: 20/s}
"""
SUGGESTION = re.compile(r"^spec\.yaml:(\d+):(\d+): .*unknown field type '([^']+)' \(did you mean '([^']+)'\?\)")


def repaired(spec: str, errors: list[str]) -> str:
    """The scripted agent's repair: each located 'did you mean' error fixed at its line, nothing else touched."""
    lines = spec.splitlines(keepends=True)
    for error in errors:
        found = SUGGESTION.match(error)
        assert found, f"the script only knows how to repair suggestions: {error}"
        line, wrong, right = int(found[1]) - 1, found[3], found[4]
        lines[line] = lines[line].replace(wrong, right, 1)
    return "".join(lines)


def _ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    return dict(result.structured_content)


async def _scripted_agent() -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "backend_architect.cli", "mcp"])
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        # 1. requirements -> spec, repaired from located errors
        seen["instructions"] = _ok(await session.call_tool("draft", {"requirements": REQUIREMENTS}))
        spec, turn = FIRST_DRAFT, 1
        while True:
            step = _ok(await session.call_tool("draft", {"requirements": REQUIREMENTS, "spec": spec, "turn": turn}))
            seen.setdefault("steps", []).append(step)
            if step["valid"]:
                break
            spec, turn = repaired(spec, step["errors"]), turn + 1
        # 2. design
        designed = _ok(await session.call_tool("design", {"spec": spec}))
        seen["design"] = designed
        # 3. the critic and the decisions
        seen["critique"] = _ok(await session.call_tool("critique", {"design_id": designed["design_id"]}))
        decisions = _ok(await session.call_tool("list_decisions", {"design_id": designed["design_id"]}))
        seen["decisions"] = decisions
        # 4. the requirements ask for no third-party CDN: the agent overrides the redirect's cache, with the reason
        seen["target"] = next(d for d in decisions["decisions"] if d["id"] == "cache.open-link")
        overridden = _ok(
            await session.call_tool(
                "apply_overrides",
                {
                    "design_id": designed["design_id"],
                    "overrides": {"cache.open-link": {"choose": "cache-aside in Redis", "reason": "no third-party CDN may see the links"}},
                },
            )
        )
        seen["overridden"] = overridden
        seen["explained"] = _ok(await session.call_tool("explain_decision", {"design_id": overridden["design_id"], "id": "cache.open-link"}))
        # 5. the critic again
        seen["critique_after"] = _ok(await session.call_tool("critique", {"design_id": overridden["design_id"]}))
        # 6. hand off the validated artefacts
        seen["artefacts"] = _ok(
            await session.call_tool("artefacts", {"design_id": overridden["design_id"], "select": ["openapi", "ddl", "handoff.json"], "max_bytes": 2_000_000})
        )
        # bad input: located errors, never a traceback
        seen["no_reason"] = await session.call_tool("apply_overrides", {"design_id": designed["design_id"], "overrides": {"edge": {"choose": "API gateway"}}})
        seen["unknown_id"] = await session.call_tool("list_decisions", {"design_id": "d-0000"})
        seen["bad_spec"] = await session.call_tool("design", {"spec": "system: x\nentities: {A: {fields: {n: strnig}}}\n"})
        seen["bad_word"] = await session.call_tool("apply_overrides", {"design_id": designed["design_id"], "overrides": {"edge": {"pick": "x"}}})
        seen["no_decision"] = await session.call_tool("explain_decision", {"design_id": designed["design_id"], "id": "mesaging"})
    return seen


@functools.cache
def session() -> dict[str, Any]:
    """One scripted session, shared by the tests that read it (a server start and a dozen calls)."""
    return asyncio.run(_scripted_agent())


def test_scripted_agent_runs_the_loop_over_stdio_ok() -> None:
    """Draft with repair, design, decisions, an override re-derived with its reason, the critic's weighing, validated artefacts."""
    seen = session()
    assert "backend-architect://spec-schema" in seen["instructions"]["instructions"]
    first, last = seen["steps"][0], seen["steps"][-1]
    assert first["errors"] == ["spec.yaml:12:22: 'target': unknown field type 'strng' (did you mean 'string'?)"]
    assert first["repair"].startswith("The spec loader refused it:\nspec.yaml:12:22:")
    assert last["valid"]
    assert last["assumptions"] == ["Assumption: redirects peak at three times their average."]
    designed = seen["design"]
    assert designed["system"] == "linkshort"
    assert designed["clean"]
    assert seen["critique"]["clean"]
    ids = {d["id"] for d in seen["decisions"]["decisions"]}
    assert {"boundaries", "keys", "auth", "short-keys.link", "cache.open-link"} <= ids
    cache = seen["target"]
    assert cache["choices"]
    assert "cache-aside in Redis" in cache["choices"]
    assert cache["inputs"]["peak_reads_per_s"] == 60_000
    overridden = seen["overridden"]
    assert overridden["design_id"] != designed["design_id"]
    assert "cache.open-link: {choose: cache-aside in Redis, reason: no third-party CDN may see the links}" in overridden["spec"]
    changed = {c["id"]: c for c in overridden["decisions_changed"]}
    assert changed["cache.open-link"]["after"].startswith("cache-aside")
    assert changed["cache.open-link"]["decided_by"] == "spec"
    assert [n["code"] for n in overridden["critic_new"]] == ["DES007"]
    assert "60,000 req/s" in overridden["critic_new"][0]["message"]  # the critic shows the numbers the override went against
    assert overridden["not_honoured"] == []
    explained = seen["explained"]["explained"][0]
    assert explained["author_reason"] == "no third-party CDN may see the links"
    assert seen["critique_after"]["clean"]
    assert seen["critique_after"]["acknowledged_overrides"] == ["decision cache.open-link"]
    fetched = seen["artefacts"]
    assert fetched["all_valid"]
    assert not fetched["not_sent"]
    assert set(fetched["checked"].values()) <= {
        "ok (openapi-spec-validator)",
        "ok (PostgreSQL's parser, pglast)",
        "ok (applied to SQLite)",
        "ok (its JSON Schema)",
    }
    # the agent's own check of what it hands off, with the real consumers
    for path, text in fetched["files"].items():
        if path.startswith("openapi/"):
            validate(yaml.safe_load(text))
        elif path.endswith(".sqlite.sql"):
            sqlite3.connect(":memory:").executescript(text)
        elif path.endswith(".postgresql.sql"):
            pglast.parse_sql(text)
        elif path == "handoff.json":
            handoff = json.loads(text)
            jsonschema.validate(handoff, json.loads(handoff_json_schema_text()))
            decision = next(d for d in handoff["architecture"]["decisions"] if d["id"] == "cache.open-link")
            assert decision["author_reason"] == "no third-party CDN may see the links"


def test_scripted_agent_bad_input_is_located_err() -> None:
    """A missing reason, an unknown design id or decision id, a broken spec or an unknown word: tool errors with located messages."""
    seen = session()
    assert seen["no_reason"].is_error
    assert re.search(r"spec\.yaml:\d+:\d+: missing required key 'reason'", seen["no_reason"].content[0].text)
    assert "design_id: 'd-0000' is not a design of this session" in seen["unknown_id"].content[0].text
    assert "spec.yaml:2:28: 'n': unknown field type 'strnig' (did you mean 'string'?)" in seen["bad_spec"].content[0].text
    assert "overrides: 'edge': unknown word(s) pick" in seen["bad_word"].content[0].text
    assert "id: no decision 'mesaging'" in seen["no_decision"].content[0].text
    for result in (seen["no_reason"], seen["unknown_id"], seen["bad_spec"], seen["bad_word"], seen["no_decision"]):
        assert "Traceback" not in result.content[0].text


def test_explain_and_artefacts_run_under_the_servers_deadline_err(monkeypatch: Any) -> None:
    """explain_decision (a design per alternative) and artefacts (every file through its consumer) are stopped at the deadline."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from backend_architect import jobs
    from backend_architect.agent import loop
    from backend_architect.mcp import loop_tools

    # the design itself is made in this process, so the 50 ms deadline meets only the calls under test
    monkeypatch.setattr(loop_tools, "DESIGNS", loop.Designs())
    pool = jobs.Jobs(workers=1, deadline_s=0.05)
    monkeypatch.setattr(jobs, "_shared", pool)
    server = MCPServer(name="deadline")
    loop_tools.register(server)
    designed = loop_tools.DESIGNS.of(FIRST_DRAFT.replace("strng(", "string("))
    try:
        for tool, arguments in (("explain_decision", {"id": "cache.open-link"}), ("artefacts", {})):
            with pytest.raises(ToolError, match=r"took longer than 0\.05 s"):
                asyncio.run(server.call_tool(tool, {"design_id": designed.id, **arguments}))
    finally:
        pool.close()
