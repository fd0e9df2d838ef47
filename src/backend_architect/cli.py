"""The ``backend-architect`` command: argument parsing and exit codes only.

Exit codes: 0 done; 1 findings at or above ``--fail-on``; 2 bad usage or bad input
(``file:line:col: message`` on stderr); 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from backend_architect import __version__
from backend_architect.errors import BackendArchitectError, InputError
from backend_architect.rules.config import CONFIG_FILE
from backend_architect.rules.model import Severity

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="backend-architect",
    help="Design backend systems from a compact YAML spec, and review what exists.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


class FailOn(enum.StrEnum):
    info = "info"
    warning = "warning"
    error = "error"
    never = "never"


def _fail(error: BackendArchitectError) -> typer.Exit:
    typer.echo(str(error), err=True)
    return typer.Exit(EXIT_INPUT)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backend-architect {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
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
) -> None:
    """Design a system from SPEC: OpenAPI, DDL, diagrams, design.md and handoff.json in OUT."""
    from backend_architect.api import design_file, write_files
    from backend_architect.render.summary import render_summary

    try:
        result = design_file(spec, previous)
    except InputError as exc:
        raise _fail(exc) from None
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
    if fail_on is not FailOn.never and any(f.severity >= Severity[fail_on.value.upper()] for f in result.findings):
        raise typer.Exit(EXIT_FINDINGS)


class ReportFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    html = "html"


class SqlDialect(enum.StrEnum):
    postgresql = "postgresql"
    sqlite = "sqlite"
    mysql = "mysql"


@app.command("review")
def review_command(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="OpenAPI documents or folders of them, SQL files or migration folders, database URLs (postgresql://, sqlite:///), specs, "
            "or docker-compose files.",
            show_default=False,
        ),
    ],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse.")] = FailOn.error,
    config: Annotated[Path | None, typer.Option("--config", help=f"Rule configuration (default: ./{CONFIG_FILE} when present).")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Report only findings this baseline file does not list.")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Write the current findings as a baseline file, then exit 0.")] = None,
    allow_external_refs: Annotated[
        bool, typer.Option("--allow-external-refs", help="Follow $refs to URLs, absolute paths and files outside the document's folder.")
    ] = False,
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour the text report (default: when printing to a terminal).")] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="The system's spec, reviewed with the API documents (call paths per use case, boundaries).")
    ] = None,
    dialect: Annotated[SqlDialect | None, typer.Option("--dialect", help="SQL dialect of schema files (default: guessed per file).")] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option("--plugin", help="Rules to load from module:attribute, the working directory included (the config's plugins must be installed)."),
    ] = None,
) -> None:
    """Review TARGETS for design flaws: OpenAPI documents, SQL schemas and migrations, live databases, a spec's design, or a topology."""
    import importlib

    from backend_architect.api import ReviewOptions, review_path
    from backend_architect.rules.baseline import new_findings, read_baseline, render_baseline
    from backend_architect.rules.config import load_config
    from backend_architect.rules.registry import RULES

    try:
        config_path = config if config is not None else (Path(CONFIG_FILE) if Path(CONFIG_FILE).is_file() else None)
        config_loaded = load_config(config_path, RULES) if config_path else None
        if plugin:
            from backend_architect.rules.config import ReviewConfig, load_plugin

            chosen = tuple(rule for reference in plugin for rule in load_plugin(reference, installed_only=False))
            config_loaded = (config_loaded or ReviewConfig()).with_plugins(chosen)
        options = ReviewOptions(allow_external_refs=allow_external_refs, config=config_loaded, spec=spec, dialect=dialect.value if dialect else None)
        results = [review_path(target, options) for target in targets]
        every = sorted(f for result in results for f in result.findings)
        findings = every
        if baseline is not None:
            findings = new_findings(findings, read_baseline(baseline))
    except InputError as exc:
        raise _fail(exc) from None
    if write_baseline is not None:
        try:
            write_baseline.write_text(render_baseline(every), encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{write_baseline}: cannot write: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        typer.echo(f"{write_baseline}: baseline of {len(every)} finding(s) written")
        return
    reporter = importlib.import_module(f"backend_architect.report.{output_format.value}")
    label = results[0].target if len(targets) == 1 else f"{len(targets)} targets"  # a database URL shows without its password
    sys.stdout.write(reporter.render(findings, results[0].rules, label, color=sys.stdout.isatty() if color is None else color))
    if fail_on is not FailOn.never and any(f.severity >= Severity[fail_on.value.upper()] for f in findings):
        raise typer.Exit(EXIT_FINDINGS)


class DiffFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class DiffFailOn(enum.StrEnum):
    breaking = "breaking"
    possibly_breaking = "possibly-breaking"
    never = "never"


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The earlier version: an API document, a SQL schema (file or folder) or a database URL.", show_default=False)],
    new: Annotated[str, typer.Argument(help="The later version, of the same kind (a SQL file may be compared with a database).", show_default=False)],
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Report format.")] = DiffFormat.text,
    fail_on: Annotated[DiffFailOn, typer.Option("--fail-on", help="Exit 1 when a change has this impact or worse.")] = DiffFailOn.never,
    allow_external_refs: Annotated[bool, typer.Option("--allow-external-refs", help="Follow $refs that leave the documents' folders.")] = False,
    dialect: Annotated[SqlDialect | None, typer.Option("--dialect", help="SQL dialect of schema files (default: guessed per file).")] = None,
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour the text report (default: when printing to a terminal).")] = None,
) -> None:
    """List every change from OLD to NEW (two API documents, or two database schemas): breaking, possibly breaking or safe."""
    import importlib

    from backend_architect.api import diff_paths
    from backend_architect.diff.model import Impact

    try:
        result = diff_paths(old, new, allow_external_refs=allow_external_refs, dialect=dialect.value if dialect else None)
    except InputError as exc:
        raise _fail(exc) from None
    reporter = importlib.import_module(f"backend_architect.report.changes.{output_format.value}")
    sys.stdout.write(reporter.render(result, color=sys.stdout.isatty() if color is None else color))
    if fail_on is not DiffFailOn.never and any(c.impact >= Impact[fail_on.name.upper()] for c in result.changes):
        raise typer.Exit(EXIT_FINDINGS)


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


@app.command("draft")
def draft_command(
    requirements: Annotated[str, typer.Argument(help="The requirements in words (or @file to read them from a file).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the spec.")] = Path("spec.yaml"),
    model: Annotated[str | None, typer.Option("--model", help="The model (default: $BACKEND_ARCHITECT_MODEL or a current Claude model).")] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="The provider's API key (default: $ANTHROPIC_API_KEY).", show_default=False)] = None,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1, max=10, help="Attempts to repair an invalid draft.")] = 4,
) -> None:
    """Draft a spec from requirements in words with a language model; the loader's errors go back until it is valid."""
    import os

    from backend_architect.agent.draft import DEFAULT_MODEL, AnthropicModel, draft_spec

    key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        typer.echo("draft needs a model: set ANTHROPIC_API_KEY or pass --api-key", err=True)
        raise typer.Exit(EXIT_INPUT)
    text = requirements
    if requirements.startswith("@"):
        try:
            text = Path(requirements[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{requirements[1:]}: cannot read: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
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
def rules_list(context: typer.Context) -> None:
    """List every rule: code, severity, name and title."""
    if context.invoked_subcommand is not None:
        return
    from backend_architect.rules.registry import RULES

    for rule in RULES:
        typer.echo(f"{rule.code}  {rule.severity!s:<7}  {rule.name:<28}  {rule.title}")


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


@app.command("validate")
def validate_command(spec: Annotated[Path, typer.Argument(help="The spec file to check.", show_default=False)]) -> None:
    """Check SPEC without designing: every problem with its file:line:col."""
    from backend_architect.spec.load import load_spec

    try:
        loaded = load_spec(spec)
    except InputError as exc:
        raise _fail(exc) from None
    model = loaded.spec
    typer.echo(f"{spec}: ok ({len(model.entities)} entities, {len(model.use_cases)} use cases)")


@app.command("schema")
def schema_command(
    handoff: Annotated[bool, typer.Option("--handoff", help="Print the JSON Schema of handoff.json instead.")] = False,
) -> None:
    """Print the JSON Schema of the spec language (for editor autocompletion), or of the hand-off."""
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
) -> None:
    """Write a backend-architect agent for Claude Code and Factory, with the MCP server wired in."""
    from backend_architect.agent.files import agent_files

    files = agent_files()
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
