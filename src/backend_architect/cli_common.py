"""What the command-line commands share: exit codes, how an input error is reported, the report formats and levels.

Part of the command-line shell, with ``cli.py`` (which registers the commands) and the
modules holding the ``review`` and ``diff`` commands.
"""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from backend_architect.errors import BackendArchitectError

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


class FailOn(enum.StrEnum):
    info = "info"
    warning = "warning"
    error = "error"
    never = "never"


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


def fail(error: BackendArchitectError) -> typer.Exit:
    """``file:line:col: message`` on stderr, and exit 2."""
    typer.echo(str(error), err=True)
    return typer.Exit(EXIT_INPUT)


def selectors(values: list[str] | None) -> tuple[str, ...]:
    """Selectors from repeated options, each of which may hold several separated by commas.

    >>> selectors(["API0,SQL1", " verb-in-path "])
    ('API0', 'SQL1', 'verb-in-path')
    """
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def config_file(given: Path | None) -> Path | None:
    """The configuration to use: ``--config``, else the nearest one from the current folder up."""
    from backend_architect.rules import find_config

    return given if given is not None else find_config(Path.cwd())
