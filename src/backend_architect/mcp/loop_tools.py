"""The agent loop as MCP tools: draft, design, list and explain decisions, override them, read the critic, fetch the artefacts.

Every tool answers compact JSON with a short Markdown summary (``markdown``), and takes either
the spec text or the ``design_id`` an earlier answer gave (the server keeps the session's recent
designs). Input problems come back as tool errors carrying ``file:line:col: message`` lines.
Each tool has a CLI equivalent, named in its description, for agents with only a shell.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from backend_architect.agent import loop
from backend_architect.agent.artefacts import DEFAULT_KINDS, KINDS, MAX_BYTES, artefacts
from backend_architect.agent.draft import DEFAULT_TURNS, draft_step
from backend_architect.agent.spec_edit import ArgumentError
from backend_architect.api import DesignResult
from backend_architect.errors import InputError
from backend_architect.spec.load import LoadedSpec

P = ParamSpec("P")
R = TypeVar("R")


def _in_worker(function: Callable[..., R], *args: Any) -> R:
    """``function(*args)`` in one of the server's workers, under its deadline (as every other tool's work runs)."""
    from backend_architect.jobs import JobBusy, JobRefused, JobTimeout, shared_jobs

    try:
        return shared_jobs().run(function, *args)
    except JobRefused as exc:
        raise ToolError("\n".join(exc.lines)) from None
    except (JobTimeout, JobBusy) as exc:
        raise ToolError(str(exc)) from None


def _bounded(spec: str, name: str) -> tuple[LoadedSpec, DesignResult]:
    """Load and design in a worker: the work a session's cache saves."""
    return _in_worker(loop.load_and_design, spec, name)


def explain_again(spec: str, design_id: str, key: str) -> dict[str, Any]:
    """Explain one decision in a worker: it designs the spec again once per alternative, so it is bounded like designing.

    The worker designs the spec afresh (the session's cache lives in the server process); ``design_id`` is the one the
    session knows it by.
    """
    loaded, result = loop.load_and_design(spec, loop.SPEC_NAME)
    return loop.explain_answer(loop.Designed(design_id, spec, loaded, result), key)


#: The designs of this server's session (one stdio client per process); the designing itself runs in a worker.
DESIGNS = loop.Designs(compute=_bounded)


def located(function: Callable[P, R]) -> Callable[P, R]:
    """Input problems as tool errors with their ``file:line:col`` lines; a spec too deep to walk as one, not a traceback."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (InputError, ArgumentError) as exc:
            raise ToolError(str(exc)) from None
        except RecursionError:
            raise ToolError("spec.yaml: nested too deep to read") from None

    return run


def register(server: MCPServer) -> None:
    """Add the loop's tools to ``server``."""

    @server.tool(
        description="Step 1 of the loop: turn requirements (prose) into a spec, with you as the drafter. Without spec: the drafting instructions. "
        "With spec (the whole YAML you wrote): every loader error as spec.yaml:line:col and the repair prompt, until valid; then the assumptions "
        "recorded in its notes. CLI: backend-architect draft --prompt REQUIREMENTS / backend-architect draft --check spec.yaml."
    )
    @located
    def draft(requirements: str, spec: str | None = None, turn: int = 1) -> dict[str, Any]:
        answer = draft_step(requirements, spec, turn, DEFAULT_TURNS)
        lines = [f"# Draft: {answer['step']} (turn {answer['turn']})", ""]
        lines += [f"- {e}" for e in answer.get("errors", [])[:30]]
        lines += [f"- {a}" for a in answer.get("assumptions", [])]
        lines.append(f"\nNext: {answer['next']}")
        return {**answer, "markdown": "\n".join(lines) + "\n"}

    @server.tool(
        description="Step 2: design a spec (YAML or JSON text). Returns design_id (name the design by it in later calls), the shape (services, "
        "endpoints, tables, components), decision and critic counts, located warnings, the file list and a short summary. "
        "include_files adds file text (bounded; prefer artefacts). CLI: backend-architect design spec.yaml -o out/."
    )
    @located
    def design(spec: str, include_files: bool = False) -> dict[str, Any]:
        import json

        designed = DESIGNS.of(spec)
        handoff = json.loads(designed.result.files["handoff.json"])
        answer = {**loop.design_answer(designed), "summary": handoff["summary"], "next_phase": handoff["next_phase"]}
        if include_files:
            fetched = artefacts(designed.result.files, ["*"], MAX_BYTES, check=False)
            answer["file_contents"], answer["not_sent"] = fetched["files"], fetched["not_sent"]
        return answer

    @server.tool(
        description="Step 3: the design's decisions, each with its id, choice, the numbers that triggered it (inputs), alternatives, who decided "
        "(numbers, spec, constraint, default), what choose builds (choices) and the verbs an override may use; plus ids steerable before a "
        "decision exists (cache.<use case>, partitioning.<table>, sharding.<table>, read-replicas.<db>). Optional: area, author_only. "
        "CLI: backend-architect decisions spec.yaml --format json."
    )
    @located
    def list_decisions(spec: str | None = None, design_id: str | None = None, area: str | None = None, author_only: bool = False) -> dict[str, Any]:
        return loop.decisions_answer(DESIGNS.find(spec, design_id), area, author_only)

    @server.tool(
        description="One decision by id (or every decision of a pattern code): its inputs, the figures with their formulas, the rationale, the "
        "alternatives and what choosing each would change (designed again). CLI: backend-architect explain spec.yaml ID --format json."
    )
    @located
    def explain_decision(id: str, spec: str | None = None, design_id: str | None = None) -> dict[str, Any]:
        designed = DESIGNS.find(spec, design_id)
        return _in_worker(explain_again, designed.text, designed.id, id)

    @server.tool(
        description="Step 4: override decisions where the requirements call for it. overrides maps a decision id (or pattern code) to "
        "{choose: <one of its choices>, reason} or {forbid: true, reason} or {force: true, reason}; clear lists ids to drop. Returns the new "
        "spec text and design_id, the decisions that changed (before -> after), overrides not honoured (located, with what would work), the "
        "critic's new and resolved findings and the files and components re-derived. CLI: backend-architect decide spec.yaml ID --choose X --reason R."
    )
    @located
    def apply_overrides(
        overrides: dict[str, dict[str, Any]], spec: str | None = None, design_id: str | None = None, clear: list[str] | None = None
    ) -> dict[str, Any]:
        return loop.overrides_answer(DESIGNS, DESIGNS.find(spec, design_id), overrides, clear or [])

    @server.tool(
        description="Step 5: the critic's review of the design (consistency between decisions, topology, contracts and data; overrides the "
        "numbers contradict, as DES007 warnings with the figures). clean is true when nothing is left but overrides you gave a reason for. "
        "minimum: info, warning or error. CLI: backend-architect critique spec.yaml --format json."
    )
    @located
    def critique(spec: str | None = None, design_id: str | None = None, minimum: Literal["info", "warning", "error"] = "info") -> dict[str, Any]:
        return loop.critique_answer(DESIGNS.find(spec, design_id), minimum)

    @server.tool(
        name="artefacts",
        description=f"Step 6: the artefacts to hand off, each checked by a real consumer (OpenAPI validator, PostgreSQL's parser, SQLite, the "
        f"hand-off's JSON Schema). select: kinds ({', '.join(KINDS)}) or paths/globs; default {', '.join(DEFAULT_KINDS)}. Bounded by "
        f"max_bytes (default {MAX_BYTES:,}); what does not fit is listed in not_sent. CLI: backend-architect artefacts spec.yaml --select openapi.",
    )
    @located
    def artefacts_tool(spec: str | None = None, design_id: str | None = None, select: list[str] | None = None, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
        designed = DESIGNS.find(spec, design_id)
        # each artefact is checked by its consumer (validators, PostgreSQL's parser): bounded like designing
        fetched = _in_worker(artefacts, designed.result.files, select, max_bytes)
        lines = [f"# Artefacts of `{designed.id}`: {len(fetched['files'])} sent, {len(fetched['not_sent'])} not sent", ""]
        lines += [f"- `{p}`: {fetched['checked'].get(p, '')}" for p in list(fetched["files"])[:40]]
        lines += [f"- not sent (over max_bytes): `{p}`" for p in fetched["not_sent"][:20]]
        return {"design_id": designed.id, **fetched, "markdown": loop.bounded(lines)}
