"""The agent loop on the command line: one command per MCP tool, for agents that only have a shell.

``draft`` (``--prompt`` / ``--check``), ``design``, ``decisions``, ``explain``, ``decide``,
``critique`` and ``artefacts`` answer what the MCP tools ``draft``, ``design``,
``list_decisions``, ``explain_decision``, ``apply_overrides``, ``critique`` and ``artefacts``
answer, from the same library functions (``agent.loop``); the spec file is the state between
calls, and ``decide`` writes the override into it. Exit codes as everywhere: 0 done, 1 the critic
is not clean or an artefact failed its consumer, 2 bad input (``file:line:col: message``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from backend_architect.cli_common import EXIT_FINDINGS, EXIT_INPUT, OutputFormat, fail
from backend_architect.errors import InputError


def _design(spec: Path) -> Any:
    """The spec file designed, or exit 2 with its located errors."""
    from backend_architect.agent.loop import Designs
    from backend_architect.spec.load import read_spec_bytes

    try:
        return Designs().of(read_spec_bytes(spec).decode("utf-8-sig"), str(spec))
    except InputError as exc:
        raise fail(exc) from None
    except UnicodeDecodeError:
        typer.echo(f"{spec}: not UTF-8 text", err=True)
        raise typer.Exit(EXIT_INPUT) from None


def _emit(answer: dict[str, Any], output_format: OutputFormat) -> None:
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps({k: v for k, v in answer.items() if k != "markdown"}, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(answer["markdown"])


FORMAT = Annotated[OutputFormat, typer.Option("--format", "-f", help="text (a Markdown summary) or json (the MCP tool's answer).")]


def decisions_command(
    spec: Annotated[Path, typer.Argument(help="The spec file.", show_default=False)],
    area: Annotated[str | None, typer.Option("--area", help="Only this area's decisions (data, caching, security, ...).")] = None,
    author_only: Annotated[bool, typer.Option("--author-only", help="Only the decisions the spec's decisions: section took.")] = False,
    output_format: FORMAT = OutputFormat.text,
) -> None:
    """List the design's decisions: id, choice, the numbers behind it, who decided, and what 'decide' may choose (MCP: list_decisions)."""
    from backend_architect.agent.loop import decisions_answer

    designed = _design(spec)
    _emit(decisions_answer(designed, area, author_only), output_format)


def decide_command(
    spec: Annotated[Path, typer.Argument(help="The spec file; the override is written into its decisions: section.", show_default=False)],
    decision: Annotated[str, typer.Argument(help="A decision id (from 'decisions') or a pattern code.", show_default=False)],
    reason: Annotated[str | None, typer.Option("--reason", help="Why: recorded in the decision and its ADR (required unless --clear).")] = None,
    choose: Annotated[str | None, typer.Option("--choose", help="One of the decision's choices.")] = None,
    forbid: Annotated[bool, typer.Option("--forbid", help="Do not apply this pattern.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Apply this pattern below its threshold.")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the override instead: the numbers decide again.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; leave the file as it is.")] = False,
    output_format: FORMAT = OutputFormat.text,
) -> None:
    """Override one decision with a reason, design again, and show what changed; an override the engine cannot honour leaves the file
    as it was and exits 2, naming what would work (MCP: apply_overrides)."""
    from backend_architect.agent.loop import Designs, overrides_answer
    from backend_architect.agent.spec_edit import ArgumentError

    said = [word for word, given in (("--choose", choose is not None), ("--forbid", forbid), ("--force", force), ("--clear", clear)) if given]
    if len(said) != 1 or (not clear and not reason):
        typer.echo(
            f"{spec}: say exactly one of --choose, --forbid, --force or --clear, and --reason unless clearing (got {', '.join(said) or 'none'})", err=True
        )
        raise typer.Exit(EXIT_INPUT)
    entry: dict[str, Any] = {"reason": reason}
    if choose is not None:
        entry["choose"] = choose
    elif forbid or force:
        entry["forbid" if forbid else "force"] = True
    before = _design(spec)
    designs = Designs()
    try:
        answer = overrides_answer(designs, before, {} if clear else {decision: entry}, [decision] if clear else [])
    except InputError as exc:
        raise fail(exc) from None
    except ArgumentError as exc:
        typer.echo(f"{spec}: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    mine = [w for w in answer["not_honoured"] if f"decisions.{decision}:" in w]
    if mine:
        for warning in mine:
            typer.echo(warning, err=True)
        typer.echo(f"{spec}: left as it was: the override was not honoured", err=True)
        raise typer.Exit(EXIT_INPUT)
    if not dry_run:
        try:
            spec.write_text(answer["spec"], encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{spec}: cannot write: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    for warning in answer["not_honoured"]:
        typer.echo(warning, err=True)
    _emit({k: v for k, v in answer.items() if k != "spec"}, output_format)


def critique_command(
    spec: Annotated[Path, typer.Argument(help="The spec file.", show_default=False)],
    minimum: Annotated[str, typer.Option("--minimum", help="Lowest severity shown: info, warning or error.")] = "info",
    output_format: FORMAT = OutputFormat.text,
) -> None:
    """The critic's review of the design; exit 1 while it is not clean (anything at warning or above but a reasoned override) (MCP: critique)."""
    from backend_architect.agent.loop import critique_answer

    if minimum not in {"info", "warning", "error"}:
        typer.echo(f"--minimum: '{minimum}' is not info, warning or error", err=True)
        raise typer.Exit(EXIT_INPUT)
    designed = _design(spec)
    answer = critique_answer(designed, minimum)
    _emit(answer, output_format)
    if not answer["clean"]:
        raise typer.Exit(EXIT_FINDINGS)


def artefacts_command(
    spec: Annotated[Path, typer.Argument(help="The spec file.", show_default=False)],
    select: Annotated[
        list[str] | None, typer.Option("--select", help="A kind (openapi, ddl, diagrams, design.md, handoff.json, ...) or a path glob; repeatable.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the selected files (every file of the design when nothing is selected) into this folder.")
    ] = None,
    output_format: FORMAT = OutputFormat.text,
) -> None:
    """The artefacts to hand off, each checked by a real consumer; exit 1 when one fails its check (MCP: artefacts)."""
    from backend_architect.agent.artefacts import KINDS, LIMIT_BYTES, artefacts

    designed = _design(spec)
    # a folder handed off is the whole design unless the caller selects: design.md and handoff.json name the ADRs,
    # AsyncAPI documents and migrations, and a folder without them contradicts its own index
    wanted = select if select or out is None else list(KINDS)
    fetched = artefacts(designed.result.files, wanted, LIMIT_BYTES)
    if out is not None:
        from backend_architect.api import write_files

        try:
            write_files({path: designed.result.files[path] for path in fetched["checked"]}, out)
        except OSError as exc:
            typer.echo(f"{out}: cannot write: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    all_valid = bool(fetched["all_valid"])
    lines = [f"{path}: {verdict}" for path, verdict in fetched["checked"].items()] + [f"{name}: selects nothing" for name in fetched["unknown"]]
    lines.append(f"all_valid: {str(all_valid).lower()}")
    answer = {
        "design_id": designed.id,
        "checked": fetched["checked"],
        "unknown": fetched["unknown"],
        "all_valid": all_valid,
        "markdown": "\n".join(lines) + "\n",
    }
    if output_format is OutputFormat.json and out is None:
        answer["files"] = fetched["files"]
    _emit(answer, output_format)
    if not all_valid:
        raise typer.Exit(EXIT_FINDINGS)


def draft_command(
    requirements: Annotated[str | None, typer.Argument(help="The requirements in words (or @file to read them from a file).", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the spec.")] = Path("spec.yaml"),
    prompt: Annotated[bool, typer.Option("--prompt", help="Print the drafting instructions for an agent that writes the spec itself (no model).")] = False,
    check: Annotated[Path | None, typer.Option("--check", help="Check a spec drafted by hand or by an agent: located errors and the repair prompt.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model (default: $BACKEND_ARCHITECT_MODEL or a current Claude model).")] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="The provider's API key (default: $ANTHROPIC_API_KEY).", show_default=False)] = None,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1, max=10, help="Attempts to repair an invalid draft.")] = 4,
) -> None:
    """Draft a spec from requirements in words: with a language model (the loader's errors go back until it is valid), or, with --prompt
    and --check, with you or your agent as the drafter (MCP: draft)."""
    import os

    from backend_architect.agent.draft import DEFAULT_MODEL, AnthropicModel, draft_spec, draft_step

    text = _requirements(requirements) if requirements else ""
    if prompt:
        answer = draft_step(text, None)
        sys.stdout.write(f"{answer['instructions']}\nRequirements:\n\n{text or '(give them as the argument)'}\n")
        return
    if check is not None:
        from backend_architect.spec.load import read_spec_bytes

        try:
            spec_text = read_spec_bytes(check).decode("utf-8-sig")
        except InputError as exc:
            raise fail(exc) from None
        except UnicodeDecodeError:
            typer.echo(f"{check}: not UTF-8 text", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        step = draft_step(text, spec_text)
        if not step["valid"]:
            typer.echo(step["repair"].replace("spec.yaml:", f"{check}:"), err=True)
            raise typer.Exit(EXIT_INPUT)
        typer.echo(f"{check}: valid; {len(step['assumptions'])} assumption(s) in notes; next: {step['next']}")
        return
    if not requirements:
        typer.echo("draft needs the requirements (or --prompt, or --check SPEC)", err=True)
        raise typer.Exit(EXIT_INPUT)
    key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        typer.echo("draft needs a model: set ANTHROPIC_API_KEY or pass --api-key (or draft yourself: --prompt, then --check)", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        chat = AnthropicModel(key, model or os.environ.get("BACKEND_ARCHITECT_MODEL") or DEFAULT_MODEL)
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_INPUT) from None
    result = draft_spec(text, chat, max_turns)
    out.write_text(result.spec_text, encoding="utf-8")
    if not result.valid:
        typer.echo(f"{out}: still invalid after {result.turns} turns:", err=True)
        typer.echo("\n".join(result.errors), err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"{out}: valid spec after {result.turns} turn(s); {len(result.assumptions)} assumption(s) recorded in notes")


def _requirements(given: str) -> str:
    """The requirements: the argument, or the file an ``@path`` argument names."""
    if not given.startswith("@"):
        return given
    try:
        return Path(given[1:]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{given[1:]}: cannot read: {getattr(exc, 'strerror', None) or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
