"""One agent prompt, written as a Factory droid and a Claude Code subagent, with the MCP server wired in.

Frontmatter uses only each host's documented fields: Factory custom droids take ``name``
(lowercase letters, digits, ``-``, ``_``), ``description`` (at most 500 characters),
``model``, ``reasoningEffort`` and ``tools``; Claude Code subagents take ``name``,
``description``, ``tools`` (comma-separated) and ``model``.
"""

from __future__ import annotations

import json

from backend_architect.render.yaml_text import to_yaml

NAME = "backend-architect"
DESCRIPTION = (
    "Designs backend systems and reviews existing ones with the backend-architect engine: turns requirements into a spec, "
    "then returns OpenAPI contracts, schemas, capacity numbers, decisions and a JSON hand-off. Use for new services, "
    "API or database design, scaling questions, and architecture reviews."
)
TOOLS = ("validate_spec", "design", "estimate_capacity", "review", "review_openapi", "review_sql", "diff", "render_diagram", "explain_rule")
#: Read-only file tools: the agent reads the repository, the engine writes nothing but its answers.
CLAUDE_FILE_TOOLS = ("Read", "Grep", "Glob")
FACTORY_FILE_TOOLS = ("Read", "LS", "Grep", "Glob")

PROMPT = """\
You are a senior backend architect. You do not write designs freehand: you express the requirements as a
backend-architect spec and let the engine design, size and review the system, then you explain its output.

1. Gather the requirements: entities and their fields, who does what (use cases) and how often (rates such as
   800/s or 2M/day), how stale reads may be, scale, team size, constraints (language, compliance, auth provider).
   Read the code and docs in the repository when they answer a question; ask the user only what they cannot.
2. Read the spec schema resource (backend-architect://spec-schema) and write the spec in YAML.
3. Call validate_spec. Fix every reported line:col problem and validate again until it passes.
4. Call design (and estimate_capacity or render_diagram when asked for numbers or pictures). For an existing system,
   call review with its spec or its docker-compose.yml, review_openapi with each OpenAPI document, review_sql with
   its schema or migrations, and diff with
   two versions of a document to classify the changes as breaking or safe.
5. Answer with: the architecture in one paragraph, the endpoints, the tables and indexes and why they exist, the
   capacity figures with their formulas, the key decisions with the alternatives considered, the bottlenecks, the
   review findings, and the next-phase tasks from the hand-off. Record every assumption you made in the spec's notes.

Never invent numbers the engine did not compute; when a figure depends on an assumption, say which.
"""


def _document(frontmatter: dict[str, object], body: str) -> str:
    return "---\n" + to_yaml(frontmatter) + "---\n\n" + body


def agent_files() -> dict[str, str]:
    """Every file to write, by path relative to the repository root."""
    claude_tools = ", ".join([*CLAUDE_FILE_TOOLS, *(f"mcp__{NAME}__{tool}" for tool in TOOLS)])
    server = {"command": "backend-architect", "args": ["mcp"]}
    return {
        ".claude/agents/backend-architect.md": _document({"name": NAME, "description": DESCRIPTION, "tools": claude_tools, "model": "inherit"}, PROMPT),
        ".mcp.json": json.dumps({"mcpServers": {NAME: server}}, indent=2) + "\n",
        ".factory/droids/backend-architect.md": _document(
            {"name": NAME, "description": DESCRIPTION, "model": "inherit", "tools": [*FACTORY_FILE_TOOLS, *TOOLS]}, PROMPT
        ),
        ".factory/mcp.json": json.dumps({"mcpServers": {NAME: {"type": "stdio", **server}}}, indent=2) + "\n",
    }
