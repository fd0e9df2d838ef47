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
from backend_architect.importers.sql.builder import SchemaBuilder
from backend_architect.importers.sql.postgres import SourceText, apply, blank_client_commands, parse_statements, suppressions
from backend_architect.ir.model import Architecture, Migration, MigrationStep, ParseProblem, Suppression

#: MusicBrainz's whole schema is 0.5 MB. A review costs about 3.4 s of CPU and 290 MB of memory per MB of DDL,
#: linearly (BENCHMARKS.md): 8 MiB is about 30 s, past what a review should take; a larger dump is reviewed schema by schema.
MAX_SQL_BYTES = 8 * 1024 * 1024
_NUMBERED = re.compile(r"^\d")


def import_sql(target: str | Path, dialect: str | None = None) -> Architecture:
    """The schema in a SQL file or folder, with migrations when the folder is one.

    ``dialect`` is postgresql, sqlite or mysql; by default each file's is guessed from its
    text (PostgreSQL unless it shows MySQL's or SQLite's marks).
    """
    path = Path(target)
    files = _files(path)
    builder = SchemaBuilder()
    migrations: list[Migration] = []
    engines: set[str] = set()
    silenced: list[Suppression] = []
    problems: list[ParseProblem] = []
    as_migrations = path.is_dir() and all(_NUMBERED.match(f.name) or _NUMBERED.match(f.parent.name) for f in files)
    for file in files:
        name = str(file)
        source = SourceText(name, _read(file))
        silenced += suppressions(source)
        spoken = dialect or _dialect_of(source)
        engines.add(spoken)
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
    system = path.stem if path.is_file() else path.name
    engine = engines.pop() if len(engines) == 1 else "postgresql"
    datastores = builder.datastores(engine=engine)
    # built from models already validated one by one: validating the container again would build the whole IR's schema
    return Architecture.model_construct(
        system=system, description=f"imported from {path}", datastores=datastores, migrations=migrations, parse_problems=problems, suppressions=silenced
    )


def import_sql_text(text: str, name: str = "schema.sql") -> Architecture:
    """The schema in one SQL text (a file's content given directly); statements on tables it does not create are judged as a migration."""
    raw = text.encode()
    if len(raw) > MAX_SQL_BYTES:
        raise InputError(
            Location(name), f"SQL is {len(raw) / 2**20:.1f} MiB; a schema may be at most {MAX_SQL_BYTES // 2**20} MiB (review a larger dump schema by schema)"
        )
    builder = SchemaBuilder()
    source = SourceText(name, raw)
    statements, problems = parse_statements(source)
    steps = []
    for statement in statements:
        steps += apply(builder, statement)
    return Architecture.model_construct(
        system=Path(name).stem,
        description=f"imported from {name}",
        datastores=builder.datastores(),
        migrations=[Migration(file=name, steps=_marked(steps, set(), builder), lone=True)],
        parse_problems=problems,
        suppressions=suppressions(source),
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


def _dialect_of(source: SourceText) -> str:
    """PostgreSQL when its parser reads the whole file; otherwise MySQL or SQLite if the text shows their marks."""
    from pglast.parser import ParseError

    try:
        source.parsed()  # kept for parse_statements: the file is parsed once
    except ParseError:
        from backend_architect.importers.sql.generic import guess_dialect

        return guess_dialect(blank_client_commands(source.raw).decode("utf-8", "replace"))
    return "postgresql"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted((p for p in path.rglob("*.sql") if p.is_file() and not p.name.endswith(".down.sql")), key=lambda p: p.relative_to(path).as_posix())
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
    if b"\x00" in raw:
        raise InputError(Location(str(file)), "not a text file (contains NUL bytes)")
    return raw
