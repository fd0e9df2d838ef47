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
from backend_architect.importers.sql.postgres import SourceText, apply, blank_client_commands, parse_statements, suppressions
from backend_architect.ir.model import Architecture, Datastore, Migration, MigrationStep, ParseProblem, Suppression

#: MusicBrainz's whole schema is 0.5 MB. A review costs about 3.4 s of CPU and 290 MB of memory per MB of DDL,
#: linearly (BENCHMARKS.md): 8 MiB is about 30 s, past what a review should take; a larger dump is reviewed schema by schema.
MAX_SQL_BYTES = 8 * 1024 * 1024
_NUMBERED = re.compile(r"^\d")
#: A statement PostgreSQL does not have: SQLite's settings (``PRAGMA foreign_keys = ON``).
_PRAGMA = re.compile(r"^\s*PRAGMA\s+\w", re.IGNORECASE | re.MULTILINE)


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
    # one schema per dialect: a folder holding the PostgreSQL and the SQLite rendering of one design is two schemas,
    # not one whose tables are each created twice with different types
    builders: dict[str, SchemaBuilder] = {}
    migrations: list[Migration] = []
    silenced: list[Suppression] = []
    problems: list[ParseProblem] = []
    for name, raw in sources:
        source = SourceText(name, raw)
        silenced += suppressions(source)
        spoken = dialect or _dialect_of(source)
        builder = builders.setdefault(spoken, SchemaBuilder())
        if spoken == "sqlite" and not builder.tables:
            builder.search_path = ["main"]
        if spoken != "postgresql":
            from backend_architect.importers.sql.generic import apply_text  # sqlglot, a quarter second to import, only for SQLite and MySQL

            problems += apply_text(builder, source, spoken)
            continue
        statements, trouble = parse_statements(source)
        problems += trouble
        existing = {t.qualified for t in builder.tables.values() if not t.assumed}
        steps = []
        for statement in statements:
            steps += apply(builder, statement)
        migrations.append(Migration(file=name, steps=_marked(steps, existing if as_migrations else set(), builder), lone=not as_migrations))
    datastores: list[Datastore] = []
    for engine, builder in builders.items():
        taken = {d.name for d in datastores}
        datastores += [d if d.name not in taken else d.model_copy(update={"name": f"{d.name} ({engine})"}) for d in builder.datastores(engine=engine)]
    # built from models already validated one by one: validating the container again would build the whole IR's schema
    return Architecture.model_construct(
        system=system, description=f"imported from {origin}", datastores=datastores, migrations=migrations, parse_problems=problems, suppressions=silenced
    )


def _marked(steps: list[MigrationStep], existing: set[str], builder: SchemaBuilder) -> list[MigrationStep]:
    """Each step marked with whether its table existed before the file: created by an earlier migration (``existing``), or
    assumed, because no file reviewed creates it (a lone migration changes tables that exist, with rows)."""
    assumed = {t.qualified for t in builder.tables.values() if t.assumed}
    created_indexes = {s.detail for s in steps if s.action == "create_index"}
    dropped_later: set[str] = set()
    marked = []
    for step in reversed(steps):
        if step.table is None:
            # pg_dump --clean drops each index before the file creates it again: that index is the file's own
            recreated = step.action == "drop_index" and step.detail in created_indexes
            marked.append(step.model_copy(update={"existed_before": False}) if recreated else step)
            continue
        was_assumed = step.table in assumed
        existed = (step.table in existing or was_assumed) and (step.table not in dropped_later or step.action == "drop_table")
        marked.append(step.model_copy(update={"existed_before": existed, "assumed": was_assumed}))
        if step.action == "drop_table":
            dropped_later.add(step.table)  # steps before a table's drop in the same migration cost nothing to its readers
    return marked[::-1]


def guess_dialect(text: str) -> str:
    """MySQL or SQLite when the text carries their marks (ENGINE=, AUTO_INCREMENT, AUTOINCREMENT, WITHOUT ROWID, PRAGMA).

    Backticks alone prove nothing (they appear in comments), so a guess other than PostgreSQL
    counts only together with a failed PostgreSQL parse (``_dialect_of``). Here rather than
    beside the SQLite and MySQL reader so that guessing never imports sqlglot.

    >>> guess_dialect("CREATE TABLE `t` (id int) ENGINE=InnoDB;"), guess_dialect("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);")
    ('mysql', 'sqlite')
    >>> guess_dialect("PRAGMA foreign_keys = ON; CREATE TABLE t (id TEXT);")
    'sqlite'
    >>> guess_dialect("CREATE TABLE t (id int);")
    'postgresql'
    """
    upper = text.upper()
    if "ENGINE=" in upper.replace(" ", "") or "AUTO_INCREMENT" in upper or "`" in text:
        return "mysql"
    if "AUTOINCREMENT" in upper or "WITHOUT ROWID" in upper or _PRAGMA.search(text):
        return "sqlite"
    return "postgresql"


def _dialect_of(source: SourceText) -> str:
    """MySQL or SQLite when the text shows their marks and PostgreSQL's parser refuses it; PostgreSQL otherwise.

    Only text with those marks is parsed here (the reading proper parses it statement by
    statement, within its bounds), so guessing never costs a full parse of a large file.
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
            raise InputError(
                Location(str(file)),
                f"file is {size / 2**20:.1f} MiB; a schema may be at most {MAX_SQL_BYTES // 2**20} MiB (review a larger dump schema by schema)",
            )
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(Location(str(file)), f"cannot read: {exc.strerror or exc}") from None
    return _text_only(raw, str(file))


def _text_only(raw: bytes, name: str) -> bytes:
    """``raw``, refused past the size limit, or at its first NUL byte: PostgreSQL's parser stops reading there, silently dropping every later statement."""
    if len(raw) > MAX_SQL_BYTES:
        raise InputError(
            Location(name), f"SQL is {len(raw) / 2**20:.1f} MiB; a schema may be at most {MAX_SQL_BYTES // 2**20} MiB (review a larger dump schema by schema)"
        )
    source = SourceText(name, raw)  # offsets counted as the reading counts them (after a byte-order mark)
    at = source.raw.find(b"\x00")
    if at >= 0:
        where = source.span(at)
        raise InputError(Location(name, where.line, where.col), "not a text file (contains a NUL byte)")
    return raw
