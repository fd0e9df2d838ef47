"""SQL files and folders → one whole-schema Architecture (and, for a migration folder, its migrations).

A file is a schema (``structure.sql``, ``pg_dump --schema-only``, hand-written DDL). A folder
is either hand-written DDL split over files or a migration folder; both are applied in
name order to one schema. A folder whose files are all numbered or dated
(``0001_init.sql``, ``2019-02-26-002946_create_user.up.sql``) is a migration folder: each file
is also kept as a migration, its steps marked with whether the table existed before it, so
the migration rules judge each against the schema it ran on. ``*.down.sql`` files are
rollbacks and are not applied.
"""

from __future__ import annotations

import re
from pathlib import Path

from backend_architect.errors import InputError, Location
from backend_architect.importers import files_inside
from backend_architect.importers.sql.builder import SchemaBuilder
from backend_architect.importers.sql.generic import apply_text, guess_dialect
from backend_architect.importers.sql.postgres import SourceText, apply, blank_client_commands, parse_statements, suppressions
from backend_architect.ir.model import Architecture, Migration, ParseProblem, Suppression

#: MusicBrainz's whole schema is 0.5 MB; a schema dump past this is data, not DDL.
MAX_SQL_BYTES = 16 * 1024 * 1024
_NUMBERED = re.compile(r"^\d")


def import_sql(target: str | Path, dialect: str | None = None) -> Architecture:
    """The schema in a SQL file or folder, with migrations when the folder is one.

    ``dialect`` is postgresql, sqlite or mysql; by default each file's is guessed from its
    text (PostgreSQL unless it shows MySQL's or SQLite's marks).
    """
    path = Path(target)
    files = _files(path)
    as_migrations = path.is_dir() and all(_NUMBERED.match(f.name) or _NUMBERED.match(f.parent.name) for f in files)
    system = path.stem if path.is_file() else path.name
    return _import_sources([(str(file), _read(file)) for file in files], dialect, as_migrations, system, str(path))


def import_sql_text(text: str, name: str = "schema.sql", dialect: str | None = None) -> Architecture:
    """The schema in one SQL text (a file's content given directly); nothing touches the file system."""
    return _import_sources([(name, _text_only(text.encode(), name))], dialect, False, Path(name).stem, name)


def import_sql_migrations(texts: list[tuple[str, str]], dialect: str | None = None, system: str = "migrations") -> Architecture:
    """The schema built by migrations given as (name, SQL text) pairs, applied in that order, each kept as a migration."""
    sources = [(name, _text_only(text.encode(), name)) for name, text in texts]
    return _import_sources(sources, dialect, True, system, system)


def _import_sources(sources: list[tuple[str, bytes]], dialect: str | None, as_migrations: bool, system: str, origin: str) -> Architecture:
    builder = SchemaBuilder()
    migrations: list[Migration] = []
    engines: set[str] = set()
    silenced: list[Suppression] = []
    problems: list[ParseProblem] = []
    for name, raw in sources:
        source = SourceText(name, raw)
        silenced += suppressions(source)
        spoken = dialect or _dialect_of(source)
        engines.add(spoken)
        if spoken == "sqlite" and not builder.tables:
            builder.search_path = ["main"]
        if spoken != "postgresql":
            problems += apply_text(builder, source, spoken)
            continue
        statements, trouble = parse_statements(source)
        problems += trouble
        existing = {t.qualified for t in builder.tables.values()}
        steps = []
        for statement in statements:
            steps += apply(builder, statement)
        if as_migrations:
            marked = [s.model_copy(update={"existed_before": s.table in existing}) if s.table else s for s in steps]
            migrations.append(Migration(file=name, steps=marked))
    engine = engines.pop() if len(engines) == 1 else "postgresql"
    datastores = builder.datastores(engine=engine)
    return Architecture(
        system=system, description=f"imported from {origin}", datastores=datastores, migrations=migrations, parse_problems=problems, suppressions=silenced
    )


def _dialect_of(source: SourceText) -> str:
    """MySQL or SQLite when the text shows their marks and PostgreSQL's parser refuses it; PostgreSQL otherwise.

    Only text with those marks is parsed here (the reading proper parses it again, statement by
    statement, within its bounds), so guessing never costs a second full parse of a large file.
    """
    from pglast import parser
    from pglast.parser import ParseError

    text = blank_client_commands(source.raw).decode("utf-8", "replace")
    guessed = guess_dialect(text)
    if guessed == "postgresql":
        return guessed
    try:
        parser.parse_sql_json(text)
    except ParseError:
        return guessed
    return "postgresql"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted((p for p in path.rglob("*.sql") if p.is_file() and not p.name.endswith(".down.sql")), key=lambda p: p.relative_to(path).as_posix())
        found = files_inside(path, found)
        if not found:
            raise InputError(Location(str(path)), "no .sql files in this folder")
        return found
    if not path.is_file():
        raise InputError(Location(str(path)), "no such file" if not path.exists() else "not a file")
    return [path]


def _read(file: Path) -> bytes:
    try:
        size = file.stat().st_size
        if size > MAX_SQL_BYTES:
            raise InputError(Location(str(file)), f"file is {size / 2**20:.1f} MiB; a schema may be at most {MAX_SQL_BYTES // 2**20} MiB")
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(Location(str(file)), f"cannot read: {exc.strerror or exc}") from None
    return _text_only(raw, str(file))


def _text_only(raw: bytes, name: str) -> bytes:
    """``raw``, refused at its first NUL byte: PostgreSQL's parser stops reading there, silently dropping every later statement."""
    at = raw.find(b"\x00")
    if at >= 0:
        where = SourceText(name, raw).span(at)
        raise InputError(Location(name, where.line, where.col), "not a text file (contains a NUL byte)")
    return raw
