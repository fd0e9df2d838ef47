"""``backend-architect review``: its options, and turning them into a review, a report and an exit status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backend_architect.cli_common import EXIT_FINDINGS, EXIT_INPUT, FailOn, ReportFormat, SqlDialect, config_file, fail, selectors
from backend_architect.errors import InputError
from backend_architect.rules import CONFIG_FILE

if TYPE_CHECKING:
    from backend_architect.rules.model import Finding


def review_command(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="OpenAPI documents or folders of them, SQL files or migration folders, database URLs (postgresql://, sqlite:///), specs, "
            "or docker-compose files; - reads one from standard input.",
            show_default=False,
        ),
    ],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse.")] = FailOn.error,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Rules to run instead of the recommended ones: codes, prefixes (API0, SQL1), names, ALL.")
    ] = None,
    extend_select: Annotated[list[str] | None, typer.Option("--extend-select", help="Rules to run as well (codes, prefixes, names).")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Rules to leave out (codes, prefixes, names).")] = None,
    preview: Annotated[bool, typer.Option("--preview", help="Run preview rules too.")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Print how many findings each rule has, instead of the findings.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the findings: no summary, nothing when clean.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help=f"Rule configuration (default: {CONFIG_FILE} or pyproject.toml here or in a parent folder).")
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Report only findings this baseline file does not list.")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Write the current findings as a baseline file, then exit 0.")] = None,
    allow_external_refs: Annotated[
        bool, typer.Option("--allow-external-refs", help="Follow $refs to URLs, absolute paths and files outside the document's folder.")
    ] = False,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal; NO_COLOR and FORCE_COLOR apply).")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="The system's spec, reviewed with the API documents (call paths per use case, boundaries).")
    ] = None,
    dialect: Annotated[SqlDialect | None, typer.Option("--dialect", help="SQL dialect of schema files (default: guessed per file).")] = None,
    pg_version: Annotated[
        int | None, typer.Option("--pg-version", min=9, max=30, help="Major PostgreSQL version the SQL runs on (version-dependent rules).")
    ] = None,
    stdin_filename: Annotated[
        str | None, typer.Option("--stdin-filename", help="The name to review standard input (-) under; its suffix says its kind.")
    ] = None,
    in_folder: Annotated[
        bool, typer.Option("--in-folder", help="Review each file with its folder (migrations before it applied first); report only the files given.")
    ] = False,
    plugin: Annotated[
        list[str] | None,
        typer.Option("--plugin", help="Rules to load from module:attribute, the working directory included (the config's plugins must be installed)."),
    ] = None,
) -> None:
    """Review TARGETS for design flaws: OpenAPI documents, SQL schemas and migrations, live databases, a spec's design, or a topology."""
    import importlib
    from contextlib import ExitStack

    from backend_architect import console
    from backend_architect.api import ReviewOptions, review_path
    from backend_architect.rules.baseline import new_findings, read_baseline, render_baseline
    from backend_architect.rules.registry import RULES

    try:
        config_path = config_file(config)
        config_loaded = None
        if config_path is not None:
            from backend_architect.rules.config import load_config

            config_loaded = load_config(config_path, RULES)
        if plugin:
            from backend_architect.rules.config import ReviewConfig, load_plugin

            chosen = tuple(rule for reference in plugin for rule in load_plugin(reference, installed_only=False))
            config_loaded = (config_loaded or ReviewConfig()).with_plugins(chosen)
        options = ReviewOptions(
            allow_external_refs=allow_external_refs,
            config=config_loaded,
            spec=spec,
            dialect=dialect.value if dialect else None,
            select=selectors(select) if select else None,
            extend_select=selectors(extend_select),
            ignore=selectors(ignore),
            preview=preview,
            pg_version=pg_version,
        )
        with ExitStack() as stack:
            paths, shown = [], {}
            for target in targets:
                if target == console.STDIN:
                    data = console.read_stdin()
                    name = console.guessed_name(data, stdin_filename)
                    path = stack.enter_context(console.stdin_file(data, name))
                    paths.append(str(path))
                    shown[str(path)] = stdin_filename or "-"
                else:
                    paths.append(target)
            given = {str(Path(p).resolve()) for p in paths} if in_folder else set()
            if in_folder:
                paths = list(dict.fromkeys(str(Path(p).parent) for p in paths))
            results = [review_path(target, options) for target in paths]
        every = sorted(_renamed_finding(f, shown) for result in results for f in result.findings)
        if in_folder:
            every = [f for f in every if f.location is not None and str(Path(f.location.file).resolve()) in given]
        findings = every
        if baseline is not None:
            findings = new_findings(findings, read_baseline(baseline))
    except InputError as exc:
        raise fail(exc) from None
    if write_baseline is not None:
        try:
            write_baseline.write_text(render_baseline(every), encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{write_baseline}: cannot write: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        typer.echo(f"{write_baseline}: baseline of {len(every)} finding(s) written")
        return
    module = "statistics" if statistics else output_format.value
    reporter = importlib.import_module(f"backend_architect.report.{module}")
    label = shown.get(results[0].target, results[0].target) if len(targets) == 1 else f"{len(targets)} targets"  # a database URL shows without its password
    extra: dict[str, object] = {"quiet": quiet} if module == "text" else {}
    colour = console.use_colour(color, sys.stdout, to_file=output is not None)
    try:
        console.emit(reporter.render(findings, results[0].rules, label, color=colour, **extra), output)
    except InputError as exc:
        raise fail(exc) from None
    from backend_architect.rules.model import Severity

    if fail_on is not FailOn.never and any(f.severity >= Severity[fail_on.value.upper()] for f in findings):
        raise typer.Exit(EXIT_FINDINGS)


def _renamed_finding(finding: Finding, shown: dict[str, str]) -> Finding:
    """A finding in the temporary copy of standard input, under the name the user gave it."""
    import dataclasses

    location = finding.location
    if not shown or location is None or location.file not in shown:
        return finding
    return dataclasses.replace(finding, location=dataclasses.replace(location, file=shown[location.file]))
