"""Where the HTTP API keeps designs, their versions, reviews and idempotency keys: SQLite or PostgreSQL.

SQLite (the default) runs in WAL mode; PostgreSQL is used given a ``postgresql://`` URL. The
schema is applied by numbered migrations recorded in ``schema_migrations``, so a database
made by an older version is brought forward on start. Statements are written once with
``?`` placeholders and translated for psycopg.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE designs (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, latest INTEGER NOT NULL
    );
    CREATE TABLE versions (
        design_id TEXT NOT NULL REFERENCES designs (id), number INTEGER NOT NULL, spec TEXT NOT NULL, summary TEXT NOT NULL,
        findings TEXT NOT NULL, files TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (design_id, number)
    );
    CREATE TABLE reviews (id TEXT PRIMARY KEY, kind TEXT NOT NULL, findings TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE idempotency (
        key TEXT NOT NULL, route TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
        headers TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (key, route)
    );
    """,
    "CREATE INDEX ix_designs_updated_at_id ON designs (updated_at, id);",
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Version:
    design_id: str
    number: int
    spec: str
    summary: dict[str, Any]
    findings: list[dict[str, Any]]
    files: dict[str, str]
    created_at: str


class Store:
    """A connection (SQLite or PostgreSQL) and the queries the API needs."""

    def __init__(self, url: str = "sqlite:///backend-architect.db") -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        if self.postgres:
            import psycopg

            self._connection: Any = psycopg.connect(url, autocommit=False)
        else:
            path = url.removeprefix("sqlite:///") or ":memory:"
            self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            if self.postgres:
                with self._connection.transaction(), self._connection.cursor() as cursor:
                    yield cursor
            else:
                cursor = self._connection.cursor()
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    yield cursor
                    cursor.execute("COMMIT")
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise

    def migrate(self) -> int:
        """Apply the migrations not yet applied; return how many ran."""
        with self.transaction() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            cursor.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            done = int(cursor.fetchone()[0])
            for number, script in enumerate(MIGRATIONS, 1):
                if number <= done:
                    continue
                for statement in (s.strip() for s in script.split(";")):
                    if statement:
                        cursor.execute(statement)
                cursor.execute(self._sql("INSERT INTO schema_migrations (version) VALUES (?)"), (number,))
        return len(MIGRATIONS) - done

    def close(self) -> None:
        self._connection.close()

    # --- designs -----------------------------------------------------------------------------------

    def create_design(self, name: str, version: Version) -> str:
        design_id = str(uuid.uuid4())
        stamp = now()
        with self.transaction() as cursor:
            cursor.execute(
                self._sql("INSERT INTO designs (id, name, created_at, updated_at, latest) VALUES (?, ?, ?, ?, 1)"),
                (
                    design_id,
                    name,
                    stamp,
                    stamp,
                ),
            )
            self._insert_version(cursor, design_id, 1, version, stamp)
        return design_id

    def add_version(self, design_id: str, expected: int, version: Version) -> int | None:
        """A new version when the latest is still ``expected`` (optimistic concurrency); None when it moved on."""
        stamp = now()
        with self.transaction() as cursor:
            cursor.execute(self._sql("UPDATE designs SET latest = latest + 1, updated_at = ? WHERE id = ? AND latest = ?"), (stamp, design_id, expected))
            if cursor.rowcount != 1:
                return None
            self._insert_version(cursor, design_id, expected + 1, version, stamp)
        return expected + 1

    def _insert_version(self, cursor: Any, design_id: str, number: int, version: Version, stamp: str) -> None:
        cursor.execute(
            self._sql("INSERT INTO versions (design_id, number, spec, summary, findings, files, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            (design_id, number, version.spec, json.dumps(version.summary), json.dumps(version.findings), json.dumps(version.files), stamp),
        )

    def design(self, design_id: str) -> dict[str, Any] | None:
        with self.transaction() as cursor:
            cursor.execute(self._sql("SELECT id, name, created_at, updated_at, latest FROM designs WHERE id = ?"), (design_id,))
            row = cursor.fetchone()
        return dict(zip(("id", "name", "created_at", "updated_at", "latest"), row, strict=True)) if row else None

    def designs(self, limit: int, after: tuple[str, str] | None) -> list[dict[str, Any]]:
        """Designs newest first, a page at a time (keyset pagination on updated_at, id)."""
        query = "SELECT id, name, created_at, updated_at, latest FROM designs"
        params: tuple[Any, ...] = ()
        if after is not None:
            query += " WHERE (updated_at < ?) OR (updated_at = ? AND id < ?)"
            params = (after[0], after[0], after[1])
        query += " ORDER BY updated_at DESC, id DESC LIMIT ?"
        with self.transaction() as cursor:
            cursor.execute(self._sql(query), (*params, limit))
            rows = cursor.fetchall()
        return [dict(zip(("id", "name", "created_at", "updated_at", "latest"), r, strict=True)) for r in rows]

    def version(self, design_id: str, number: int) -> Version | None:
        with self.transaction() as cursor:
            cursor.execute(
                self._sql("SELECT design_id, number, spec, summary, findings, files, created_at FROM versions WHERE design_id = ? AND number = ?"),
                (design_id, number),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return Version(row[0], int(row[1]), row[2], json.loads(row[3]), json.loads(row[4]), json.loads(row[5]), row[6])

    def versions(self, design_id: str, limit: int, before: int | None) -> list[dict[str, Any]]:
        query = "SELECT number, created_at, summary FROM versions WHERE design_id = ?"
        params: tuple[Any, ...] = (design_id,)
        if before is not None:
            query += " AND number < ?"
            params += (before,)
        with self.transaction() as cursor:
            cursor.execute(self._sql(query + " ORDER BY number DESC LIMIT ?"), (*params, limit))
            rows = cursor.fetchall()
        return [{"number": int(n), "created_at": c, "summary": json.loads(s)} for n, c, s in rows]

    # --- reviews and idempotency ---------------------------------------------------------------

    def save_review(self, kind: str, findings: list[dict[str, Any]]) -> str:
        review_id = str(uuid.uuid4())
        with self.transaction() as cursor:
            cursor.execute(
                self._sql("INSERT INTO reviews (id, kind, findings, created_at) VALUES (?, ?, ?, ?)"), (review_id, kind, json.dumps(findings), now())
            )
        return review_id

    def remembered(self, key: str, route: str) -> tuple[str, int, str, dict[str, str]] | None:
        with self.transaction() as cursor:
            cursor.execute(self._sql("SELECT fingerprint, status, body, headers FROM idempotency WHERE key = ? AND route = ?"), (key, route))
            row = cursor.fetchone()
        return (row[0], int(row[1]), row[2], json.loads(row[3])) if row else None

    def remember(self, key: str, route: str, fingerprint: str, status: int, body: str, headers: dict[str, str]) -> None:
        with self.transaction() as cursor:
            cursor.execute(
                self._sql("INSERT INTO idempotency (key, route, fingerprint, status, body, headers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                (key, route, fingerprint, status, body, json.dumps(headers), now()),
            )
