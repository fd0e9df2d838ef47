"""``backend-architect diff``: its options, and turning them into a diff, a report and an exit status."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from backend_architect.cli_common import EXIT_FINDINGS, SqlDialect, config_file, fail
from backend_architect.errors import InputError
from backend_architect.rules import CONFIG_FILE


class DiffFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class DiffFailOn(enum.StrEnum):
    breaking = "breaking"
    possibly_breaking = "possibly-breaking"
    any = "any"
    never = "never"


class DiffView(enum.StrEnum):
    changelog = "changelog"
    breaking = "breaking"


def diff_command(
    old: Annotated[
        str,
        typer.Argument(
            help="The earlier version: an API document or folder, a SQL schema (file or folder), a database URL, REV:PATH at a git revision, or - (stdin).",
            show_default=False,
        ),
    ],
    new: Annotated[str, typer.Argument(help="The later version, of the same kind (a SQL file may be compared with a database).", show_default=False)],
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Report format.")] = DiffFormat.text,
    view: Annotated[DiffView, typer.Option("--view", help="changelog: every change; breaking: only what may break clients.")] = DiffView.changelog,
    fail_on: Annotated[DiffFailOn, typer.Option("--fail-on", help="Exit 1 when a change has this impact or worse (any: any change).")] = DiffFailOn.never,
    accepted: Annotated[Path | None, typer.Option("--accepted", help="Accepted changes (YAML: code, where, reason, expires): left out of the verdict.")] = None,
    check_version: Annotated[bool, typer.Option("--check-version", help="Fail when info.version was not bumped as the changes need (semver).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the changes: no summary, nothing when there are none.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help=f"Configuration with a 'diff' section (default: {CONFIG_FILE} or pyproject.toml, found upward).")
    ] = None,
    allow_external_refs: Annotated[bool, typer.Option("--allow-external-refs", help="Follow $refs that leave the documents' folders.")] = False,
    dialect: Annotated[SqlDialect | None, typer.Option("--dialect", help="SQL dialect of schema files (default: guessed per file).")] = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal; NO_COLOR and FORCE_COLOR apply).")
    ] = None,
    stdin_filename: Annotated[str | None, typer.Option("--stdin-filename", help="The name to report standard input (-) under.")] = None,
) -> None:
    """List every change from OLD to NEW (two API documents, folders of them, or two database schemas): breaking, possibly breaking or safe."""
    import importlib

    from backend_architect import console
    from backend_architect.diff.model import Impact
    from backend_architect.diffs import DiffOptions, diff_paths

    try:
        config_path = config_file(config)
        settings = None
        if config_path is not None:
            from backend_architect.rules.config import load_config
            from backend_architect.rules.registry import RULES

            settings = load_config(config_path, RULES).diff
        accepted_file = accepted
        if accepted_file is None and settings is not None and settings.accepted and config_path is not None:
            accepted_file = config_path.parent / settings.accepted
        stdin = console.read_stdin() if console.STDIN in (old, new) else None
        options = DiffOptions(
            allow_external_refs=allow_external_refs,
            dialect=dialect.value if dialect else None,
            accepted=accepted_file,
            check_version=check_version or bool(settings and settings.check_version),
            stdin=stdin,
            stdin_name=stdin_filename or "-",
        )
        result = diff_paths(old, new, options=options)
    except InputError as exc:
        raise fail(exc) from None
    reporter = importlib.import_module(f"backend_architect.report.changes.{output_format.value}")
    colour = console.use_colour(color, sys.stdout, to_file=output is not None)
    try:
        console.emit(reporter.render(result, color=colour, view=view.value, quiet=quiet), output)
    except InputError as exc:
        raise fail(exc) from None
    if result.stale and not quiet:
        typer.echo("\n".join(f"note: {message}" for message in result.stale), err=True)
    worst = {DiffFailOn.breaking: Impact.BREAKING, DiffFailOn.possibly_breaking: Impact.POSSIBLY_BREAKING, DiffFailOn.any: Impact.SAFE}
    if fail_on is not DiffFailOn.never and any(c.impact >= worst[fail_on] for c in result.changes):
        raise typer.Exit(EXIT_FINDINGS)
    if options.check_version and any(c.code.startswith("info-version-") for c in result.changes):
        raise typer.Exit(EXIT_FINDINGS)
