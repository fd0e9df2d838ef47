"""The ``backend-architect`` command: argument parsing and exit codes only.

Exit codes: 0 done; 1 findings at or above ``--fail-on``; 2 bad usage or bad input
(``file:line:col: message`` on stderr); 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backend_architect import __version__
from backend_architect.cli_common import EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, FailOn, OutputFormat
from backend_architect.cli_common import fail as _fail
from backend_architect.cli_diff import diff_command
from backend_architect.cli_loop import artefacts_command, critique_command, decide_command, decisions_command, draft_command
from backend_architect.cli_review import review_command
from backend_architect.errors import InputError

if TYPE_CHECKING:
    from backend_architect.scaffold import Design

app = typer.Typer(
    name="backend-architect",
    help="Design backend systems from a compact YAML spec, and review what exists.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backend-architect {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Design backend systems from a compact YAML spec, and review what exists."""


@app.command("design")
def design_command(
    spec: Annotated[Path, typer.Argument(help="The spec file (YAML or JSON).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the design into.")] = Path("out"),
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="What to print: a text summary, or handoff.json.")] = OutputFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when the self-review finds this severity or worse.")] = FailOn.error,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Output folder of an earlier design: carry its migrations and write the next one.")
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Also write design.html: one self-contained page with every diagram drawn (works offline).")] = False,
    scaffold_dir: Annotated[Path | None, typer.Option("--scaffold", help="Also scaffold the runnable service project into this folder.")] = None,
) -> None:
    """Design a system from SPEC: OpenAPI, DDL, diagrams, design.md and handoff.json in OUT."""
    from backend_architect.api import design_file, write_files
    from backend_architect.render.summary import render_summary

    try:
        result = design_file(spec, previous)
    except InputError as exc:
        raise _fail(exc) from None
    for warning in result.warnings:
        typer.echo(warning, err=True)
    try:
        write_files(result.files, out)
        if html:
            from backend_architect.render.html import render_html

            (out / "design.html").write_text(render_html(result.architecture, result.findings), encoding="utf-8")
    except OSError as exc:
        typer.echo(f"{out}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if output_format is OutputFormat.json:
        sys.stdout.write(result.files["handoff.json"])
    else:
        out_label = str(out).rstrip("/") + "/"
        sys.stdout.write(render_summary(result.architecture, result.findings, list(result.files), out_label))
    from backend_architect.rules.model import Severity

    if scaffold_dir is not None:
        from backend_architect.scaffold import from_files

        _scaffold(lambda: from_files(result.architecture, result.files, str(out)), scaffold_dir, check=False, quiet=output_format is OutputFormat.json)
    if fail_on is not FailOn.never and any(f.severity >= Severity[fail_on.value.upper()] for f in result.findings):
        raise typer.Exit(EXIT_FINDINGS)


app.command("review")(review_command)
app.command("diff")(diff_command)
app.command("draft")(draft_command)
app.command("decisions")(decisions_command)
app.command("decide")(decide_command)
app.command("critique")(critique_command)
app.command("artefacts")(artefacts_command)


def _scaffold(load: Callable[[], Design], out: Path, *, check: bool, quiet: bool = False) -> None:
    from backend_architect.scaffold import scaffold

    try:
        result = scaffold(load(), out, check=check)
    except InputError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        typer.echo(f"{out}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    (sys.stderr if quiet else sys.stdout).write(result.summary(str(out).rstrip("/") + "/", check))
    if check and result.plan.drift:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("scaffold")
def scaffold_command(
    design: Annotated[Path, typer.Argument(help="The output folder of 'backend-architect design' (it holds handoff.json).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder of the service project.")] = Path("service"),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; report how the project drifted from the design (exit 1 if it did).")] = False,
) -> None:
    """Scaffold a runnable service project (FastAPI, PostgreSQL, tests) from a finished design."""
    from backend_architect.scaffold import load_design

    _scaffold(lambda: load_design(design), out, check=check)


@app.command("advise-indexes")
def advise_indexes_command(
    database: Annotated[
        str, typer.Argument(help="A PostgreSQL URL (postgresql://...) of a database with the schema and, ideally, its statistics.", show_default=False)
    ],
    workload: Annotated[
        Path | None, typer.Option("--workload", "-w", help="A file of queries (-- calls: N before one weights it); default: pg_stat_statements.")
    ] = None,
    budget_mb: Annotated[float, typer.Option("--budget-mb", help="Most disk the recommended indexes may take together.")] = 1024.0,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
) -> None:
    """Recommend indexes for a workload, costed by PostgreSQL's planner with HypoPG (read-only; nothing is built)."""
    from backend_architect.advisor.costing import advise
    from backend_architect.report.advice import render_json, render_text

    try:
        text = workload.read_text(encoding="utf-8") if workload is not None else None
        advice = advise(database, text, budget_mb)
    except OSError as exc:
        typer.echo(f"{workload}: cannot read: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except InputError as exc:
        raise _fail(exc) from None
    sys.stdout.write(render_json(advice) if output_format is OutputFormat.json else render_text(advice))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (localhost by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    database: Annotated[str, typer.Option("--database", help="sqlite:///path (default) or a postgresql:// URL.")] = "sqlite:///backend-architect.db",
    trusted_proxy: Annotated[
        list[str] | None, typer.Option("--trusted-proxy", help="Address or CIDR range of a reverse proxy whose X-Forwarded-For is believed.")
    ] = None,
    rate: Annotated[int, typer.Option("--rate", min=1, help="Requests per minute per key (or per address without one).")] = 600,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes for designs and reviews.")] = 2,
    deadline: Annotated[float, typer.Option("--deadline", min=1, help="Seconds one design, review or diff may take.")] = 30.0,
) -> None:
    """Serve the HTTP API and the web workspace (FastAPI on uvicorn).

    Keys come from $BACKEND_ARCHITECT_API_KEYS: comma-separated id:secret:scopes:owner entries (scopes joined by +
    from read, write and admin), or bare secrets. Without any, one admin key is made for this run and printed.
    """
    import os
    import secrets

    try:
        import uvicorn

        from backend_architect.jobs import Jobs
        from backend_architect.server.app import create_app
        from backend_architect.server.auth import parse_keys
        from backend_architect.server.bounds import HeaderTimeoutProtocol
        from backend_architect.server.store import Store
        from backend_architect.server.throttle import trusted_networks
    except ImportError:
        typer.echo("the server needs its extra: pip install 'backend-architect[server]'", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    from backend_architect.importers.live import redacted, scrubbed

    try:
        keys = parse_keys(os.environ.get("BACKEND_ARCHITECT_API_KEYS", ""))
        proxies = trusted_networks(trusted_proxy or [])
    except ValueError as exc:
        typer.echo(f"serve: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if not keys:
        generated = secrets.token_urlsafe(24)
        keys = parse_keys(f"local:{generated}:read+write+admin")
        typer.echo(f"no BACKEND_ARCHITECT_API_KEYS given; this run's admin key: {generated}", err=True)
    try:
        store = Store(database)
    except Exception as exc:  # noqa: BLE001 - any failure to open the database is the user's input to fix
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"{redacted(database)}: cannot open: {scrubbed(redacted(first), database)}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    application = create_app(store, keys, rate_per_minute=rate, trusted_proxies=proxies, jobs=Jobs(workers=workers, deadline_s=deadline))
    # proxy headers are read by the app from trusted proxies only; uvicorn's own reading trusts loopback by default
    uvicorn.run(
        application, host=host, port=port, log_level="info", http=HeaderTimeoutProtocol, proxy_headers=False, timeout_keep_alive=5, limit_concurrency=200
    )


rules_app = typer.Typer(help="The review rules: list them, or show one's documentation.", no_args_is_help=False, invoke_without_command=True)
app.add_typer(rules_app, name="rules")


@rules_app.callback()
def rules_list(
    context: typer.Context, markdown: Annotated[bool, typer.Option("--markdown", help="Print the catalogue as Markdown (docs/rules.md).")] = False
) -> None:
    """List every rule: code, severity, tier, name and title."""
    if context.invoked_subcommand is not None:
        return
    from backend_architect.rules.registry import RULES

    if markdown:
        from backend_architect.rules.catalogue import render_rules_markdown

        sys.stdout.write(render_rules_markdown(RULES))
        return
    for rule in RULES:
        tier = "" if rule.tier == "recommended" else f"  ({rule.tier})"
        typer.echo(f"{rule.code}  {rule.severity!s:<7}  {rule.name:<28}  {rule.title}{tier}")


@rules_app.command("show")
def rules_show(code: Annotated[str, typer.Argument(help="A rule code (SQL003) or name (missing-foreign-key-index).", show_default=False)]) -> None:
    """Print one rule's documentation: what it does, why it is bad, an example and the fix."""
    from backend_architect.rules.registry import RULES, rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        from backend_architect.spec.field_types import suggest

        typer.echo(f"unknown rule '{code}'{suggest(code.upper(), [r.code for r in RULES]) or suggest(code, [r.name for r in RULES])}", err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"{rule.code} {rule.name} ({rule.severity}): {rule.title}\n\n{rule.doc}\n\nFix: {rule.fix}")


patterns_app = typer.Typer(help="The design patterns: list them, or show one's documentation.", no_args_is_help=False, invoke_without_command=True)
app.add_typer(patterns_app, name="patterns")


@patterns_app.callback()
def patterns_list(context: typer.Context) -> None:
    """List every design pattern: code, stage, name and title."""
    if context.invoked_subcommand is not None:
        return
    from backend_architect.design.patterns.registry import PATTERNS

    for pattern in PATTERNS:
        typer.echo(f"{pattern.code}  {pattern.stage:<11}  {pattern.name:<26}  {pattern.title}")


@patterns_app.command("show")
def patterns_show(code: Annotated[str, typer.Argument(help="A pattern code (PAT001) or name (feed-fan-out-on-write).", show_default=False)]) -> None:
    """Print one pattern's documentation: when it applies, what it adds and costs, the alternatives."""
    from backend_architect.design.patterns.registry import PATTERNS, pattern_by_code

    pattern = pattern_by_code(code)
    if pattern is None:
        from backend_architect.spec.field_types import suggest

        typer.echo(f"unknown pattern '{code}'{suggest(code.upper(), [p.code for p in PATTERNS]) or suggest(code, [p.name for p in PATTERNS])}", err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"{pattern.code} {pattern.name} ({pattern.stage}): {pattern.title}\n\n{pattern.doc}")


@app.command("explain")
def explain_command(
    spec: Annotated[Path, typer.Argument(help="The spec file.", show_default=False)],
    decision: Annotated[
        str, typer.Argument(help="A decision id (as in handoff.json: messaging, feed.view-home-timeline) or a pattern code.", show_default=False)
    ],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text, or json.")] = OutputFormat.text,
) -> None:
    """Explain one decision: the numbers behind it, the alternatives, and what choosing each would change."""
    import json

    from backend_architect.api import design_file
    from backend_architect.design.explain import explain, find, render_text

    try:
        result = design_file(spec)
    except InputError as exc:
        raise _fail(exc) from None
    found = find(result.architecture, decision)
    if not found:
        from backend_architect.spec.field_types import suggest

        ids = [d.id for d in result.architecture.decisions]
        typer.echo(f"{spec}: no decision '{decision}'{suggest(decision, ids)} (decisions: {', '.join(ids)})", err=True)
        raise typer.Exit(EXIT_INPUT)
    explained = [explain(result.spec, result.architecture, d) for d in found]
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(explained, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write("\n".join(render_text(e) for e in explained))


@app.command("validate")
def validate_command(
    spec: Annotated[Path, typer.Argument(help="The spec file to check.", show_default=False)],
    fix: Annotated[bool, typer.Option("--fix", help="Also rewrite SPEC in its canonical spelling (comments kept), as 'fmt' does.")] = False,
) -> None:
    """Check SPEC without designing: every problem with its file:line:col, and warnings for surprising readings."""
    from backend_architect.api import spec_warnings
    from backend_architect.spec.load import load_spec

    try:
        loaded = load_spec(spec)
        warnings = spec_warnings(loaded)
    except InputError as exc:
        raise _fail(exc) from None
    for warning in warnings:
        typer.echo(warning, err=True)
    if fix:
        _format_file(spec, check=False)
    model = loaded.spec
    typer.echo(f"{spec}: ok ({len(model.entities)} entities, {len(model.use_cases)} use cases" + (f", {len(warnings)} warning(s))" if warnings else ")"))


def _format_file(path: Path, *, check: bool) -> bool:
    """Rewrite ``path`` in canonical spelling; True when it changed (or, with ``check``, would)."""
    from backend_architect.spec.fmt import format_spec
    from backend_architect.spec.load import read_spec_bytes

    try:
        raw = read_spec_bytes(path)
        text = format_spec(raw, str(path))
    except InputError as exc:
        raise _fail(exc) from None
    changed = text != raw.decode("utf-8-sig")
    if changed and not check:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{path}: cannot write: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    return changed


@app.command("fmt")
def fmt_command(
    spec: Annotated[Path, typer.Argument(help="The spec file to rewrite.", show_default=False)],
    check: Annotated[bool, typer.Option("--check", help="Change nothing; exit 1 if SPEC is not in canonical spelling.")] = False,
) -> None:
    """Rewrite SPEC in its canonical spelling (comments and layout kept); the design it gives does not change."""
    changed = _format_file(spec, check=check)
    if check and changed:
        typer.echo(f"{spec}: would be reformatted")
        raise typer.Exit(EXIT_FINDINGS)
    typer.echo(f"{spec}: {'reformatted' if changed else 'already canonical'}")


@app.command("schema")
def schema_command(
    handoff: Annotated[bool, typer.Option("--handoff", help="Print the JSON Schema of handoff.json instead.")] = False,
    config: Annotated[bool, typer.Option("--config", help="Print the JSON Schema of .backend-architect.yaml (the review configuration) instead.")] = False,
) -> None:
    """Print the JSON Schema of the spec language (for editor autocompletion), of the review configuration, or of the hand-off."""
    if handoff and config:
        raise typer.BadParameter("--handoff and --config name different schemas; give one")
    if config:
        from backend_architect.rules.config_schema import config_json_schema_text

        sys.stdout.write(config_json_schema_text())
        return
    if handoff:
        from backend_architect.render.handoff_model import handoff_json_schema_text

        sys.stdout.write(handoff_json_schema_text())
        return
    from backend_architect.spec.schema_export import spec_json_schema_text

    sys.stdout.write(spec_json_schema_text())


@app.command("mcp")
def mcp_command(
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes for designs and reviews.")] = 2,
    deadline: Annotated[float, typer.Option("--deadline", min=0.01, help="Seconds one tool call may take.")] = 30.0,
) -> None:
    """Serve the Model Context Protocol over stdio, for AI coding agents (needs the 'mcp' extra)."""
    try:
        from backend_architect.jobs import configure_shared
        from backend_architect.mcp.server import serve
    except ImportError:
        typer.echo("the MCP server needs the official SDK: pip install 'backend-architect[mcp]'", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    configure_shared(workers=workers, deadline_s=deadline)
    serve()


@app.command("agent-files")
def agent_files_command(
    root: Annotated[Path, typer.Argument(help="Repository to write the agent definitions into.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    with_shell: Annotated[bool, typer.Option("--with-shell", help="Also grant the shell tool, for hosts that run the loop through the CLI.")] = False,
) -> None:
    """Write a backend-architect agent for Claude Code and Factory, with the MCP server wired in and the CLI equivalent of each tool named."""
    from backend_architect.agent.files import agent_files

    files = agent_files(with_shell)
    existing = [path for path in files if (root / path).exists()]
    if existing and not force:
        typer.echo(f"{root / existing[0]}: already exists (use --force to overwrite)", err=True)
        raise typer.Exit(EXIT_INPUT)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}")


@app.command("conventions")
def conventions_command() -> None:
    """Print the API conventions every generated contract follows (Markdown)."""
    from backend_architect.conventions import render_api_conventions

    sys.stdout.write(render_api_conventions())


@app.command("init")
def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the starter spec.")] = Path("spec.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter spec that designs without error."""
    from backend_architect.spec.starter import STARTER_SPEC

    if path.exists() and not force:
        typer.echo(f"{path}: already exists (use --force to overwrite)", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        path.write_text(STARTER_SPEC, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"{path}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(f"wrote {path}; next: backend-architect design {path} -o out/")


def run() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: report, never a traceback
        sys.stderr.write(f"backend-architect: internal error: {type(exc).__name__}: {exc}\nPlease report this with the input that caused it.\n")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    run()
