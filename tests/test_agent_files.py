"""Agent definitions: documented frontmatter only, MCP wired in, tools that the server really has."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from backend_architect.agent.files import TOOLS, agent_files
from backend_architect.mcp.server import server

CLAUDE_FIELDS = {"name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns", "skills", "hooks", "color"}
FACTORY_FIELDS = {"name", "description", "model", "reasoningEffort", "tools"}


def _frontmatter(text: str) -> dict[str, Any]:
    match = re.match(r"---\n(.*?)\n---\n\n(.+)", text, flags=re.DOTALL)
    assert match, "a definition is YAML frontmatter between --- lines, then the prompt"
    assert match[2].strip()
    return dict(yaml.safe_load(match[1]))


def test_claude_code_subagent_frontmatter_ok() -> None:
    """The Claude Code subagent uses documented fields, read-only file tools and the MCP server's tools."""
    front = _frontmatter(agent_files()[".claude/agents/backend-architect.md"])
    assert set(front) <= CLAUDE_FIELDS
    assert {"name", "description"} <= set(front)
    tools = [t.strip() for t in front["tools"].split(",")]
    assert {t for t in tools if not t.startswith("mcp__")} == {"Read", "Grep", "Glob"}
    assert {t.removeprefix("mcp__backend-architect__") for t in tools if t.startswith("mcp__")} == set(TOOLS)


def test_factory_droid_frontmatter_ok() -> None:
    """The Factory droid's name follows its pattern and the description its 500-character limit."""
    front = _frontmatter(agent_files()[".factory/droids/backend-architect.md"])
    assert set(front) <= FACTORY_FIELDS
    assert re.fullmatch(r"[a-z0-9_-]+", front["name"])
    assert len(front["description"]) <= 500
    assert "Edit" not in front["tools"]
    assert "Execute" not in front["tools"]


def test_mcp_wiring_and_tools_exist_ok() -> None:
    """Both hosts start `backend-architect mcp` over stdio, and every tool the agents name is one the server lists."""
    files = agent_files()
    for path in (".mcp.json", ".factory/mcp.json"):
        entry = json.loads(files[path])["mcpServers"]["backend-architect"]
        assert (entry["command"], entry["args"]) == ("backend-architect", ["mcp"])
    listed = {tool.name for tool in asyncio.run(server.list_tools())}
    assert set(TOOLS) == listed


def test_agent_files_command_writes_and_refuses_overwrite_err(tmp_path: Path) -> None:
    """agent-files writes the four files, then refuses to overwrite them without --force."""
    command = [sys.executable, "-m", "backend_architect.cli", "agent-files", str(tmp_path)]
    assert subprocess.run(command, capture_output=True, text=True, timeout=60).returncode == 0
    assert (tmp_path / ".claude" / "agents" / "backend-architect.md").is_file()
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2
    assert "already exists" in again.stderr
