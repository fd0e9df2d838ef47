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

from backend_architect.agent.files import CLI, TOOLS, agent_files
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


def test_every_tool_has_a_cli_equivalent_the_prompt_names_ok() -> None:
    """Each MCP tool the agent uses has its CLI equivalent in the prompt, and each such command exists, so a shell-only host runs the same loop."""
    from typer.main import get_command

    from backend_architect.cli import app

    body = agent_files()[".claude/agents/backend-architect.md"]
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert set(CLI) == set(TOOLS)
    for tool, command in CLI.items():
        assert f"`{tool}`" in body, tool
        for part in command.split(";"):
            words = part.split()
            if words and words[0] == "backend-architect":
                assert words[1] in commands, part
                assert part.strip().split(" (")[0] in body


def test_prompt_is_the_loop_with_the_seed_sections_ok() -> None:
    """The workflow runs draft, design, critique and decisions, overrides with a reason, until clean, then artefacts; the answer keeps the seed's sections."""
    body = agent_files()[".factory/droids/backend-architect.md"]
    steps = ["`draft`", "`design`", "`critique`", "`list_decisions`", "`apply_overrides`", "says `clean`", "`artefacts`"]
    positions = [body.index(step) for step in steps]
    assert positions == sorted(positions)
    for section in ("Endpoints", "Diagram", "Schema", "Technology choices with rationale", "bottlenecks", "Orchestrated hand-off"):
        assert section in body, section
    assert "reason" in body
    assert "Every number you state" in body


def test_with_shell_grants_the_shell_tool_ok() -> None:
    """--with-shell adds Bash (Claude Code) and Execute (Factory); by default the agent only reads files and calls the engine."""
    plain, shell = agent_files(), agent_files(with_shell=True)
    assert "Bash" not in _frontmatter(plain[".claude/agents/backend-architect.md"])["tools"]
    assert "Bash" in _frontmatter(shell[".claude/agents/backend-architect.md"])["tools"]
    assert "Execute" in _frontmatter(shell[".factory/droids/backend-architect.md"])["tools"]


def test_figure_keys_the_prompt_names_exist_in_a_design_ok() -> None:
    """Every figure key the prompt tells the agent to quote (``storage.…``, ``bandwidth.…``) is one a design states, so the guidance cannot go stale."""
    from backend_architect.design.pipeline import design
    from backend_architect.spec.load import load_spec_bytes

    body = agent_files()[".factory/droids/backend-architect.md"]
    named = re.findall(r"`((?:storage|bandwidth)\.[a-z_.]+\*?)`", body)
    assert len(named) >= 3, named
    spec_path = Path(__file__).resolve().parents[1] / "examples" / "chat.yaml"
    keys = {f.key for f in design(load_spec_bytes(spec_path.read_bytes(), str(spec_path)).spec).figures}
    for key in named:
        prefix = key.removesuffix("*")
        assert any(k == key or (key.endswith("*") and k.startswith(prefix)) for k in keys), key
