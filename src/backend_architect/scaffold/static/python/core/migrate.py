"""Apply the design's migrations (dbmate format) in order, one version table per module.

``migrations/<module>/NNNN_*.sql`` hold ``-- migrate:up`` and ``-- migrate:down`` sections;
a file marked ``transaction:false`` runs statement by statement outside a transaction (its
own BEGIN/COMMIT and CREATE INDEX CONCURRENTLY need that). Versions go to
``schema_migrations_<module>``, so ``dbmate --migrations-dir migrations/<module>
--migrations-table schema_migrations_<module> up`` is interchangeable with this runner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlparse
from psycopg import sql

from .. import deployable

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_NAME = re.compile(r"(\d+)_[A-Za-z0-9_]+\.sql")
_SECTION = re.compile(r"^-- migrate:(up|down)(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    module: str
    version: str
    path: Path
    up: str
    transactional: bool


def read(module: str) -> list[Migration]:
    """A module's migrations in version order."""
    found = []
    for path in sorted((MIGRATIONS_DIR / module).glob("*.sql")):
        match = _NAME.fullmatch(path.name)
        if match is None:
            continue
        text = path.read_text(encoding="utf-8")
        sections = {m.group(1): m for m in _SECTION.finditer(text)}
        if "up" not in sections:
            raise ValueError(f"{path}: no '-- migrate:up' section")
        start = sections["up"].end()
        end = sections["down"].start() if "down" in sections and sections["down"].start() > start else len(text)
        found.append(Migration(module, match.group(1), path, text[start:end], "transaction:false" not in sections["up"].group(2)))
    return found


def _table(module: str) -> sql.Identifier:
    return sql.Identifier(f"schema_migrations_{module}")


def migrate(url: str, app_role: str | None = None, app_password: str | None = None) -> list[str]:
    """Apply what is pending; create ``app_role`` if missing and grant it what the service needs. Returns the applied files."""
    applied: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for module in deployable.MODULES:
            conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (version varchar(128) PRIMARY KEY)").format(_table(module)))
            done = {row[0] for row in conn.execute(sql.SQL("SELECT version FROM {}").format(_table(module)))}
            for migration in read(module):
                if migration.version in done:
                    continue
                record = sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(_table(module))
                if migration.transactional:
                    with conn.transaction():
                        conn.execute(migration.up.encode())
                        conn.execute(record, (migration.version,))
                else:
                    for statement in sqlparse.split(migration.up):
                        if statement.strip().strip(";").strip():
                            conn.execute(statement.encode())
                    conn.execute(record, (migration.version,))
                applied.append(f"{module}/{migration.path.name}")
        if app_role:
            grant(conn, app_role, app_password)
    return applied


def grant(conn: psycopg.Connection[tuple[object, ...]], role: str, password: str | None = None) -> None:
    """What the service's role may do: read and write rows, use sequences; never own tables (so row-level security applies)."""
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if exists is None:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    for schema in deployable.SCHEMAS:
        name = sql.Identifier(schema)
        who = sql.Identifier(role)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(name, who))
        conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(name, who))
        conn.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(name, who))
