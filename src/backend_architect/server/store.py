"""Where the HTTP API keeps designs, their versions, reviews and idempotency keys: SQLite or PostgreSQL, through SQLAlchemy Core.

One set of tables (``schema.py``) and queries serves both engines; Alembic brings a database
to the current schema on start (``migrations/``), including one made by the store's earlier
numbered migrations. Connections come from SQLAlchemy's pool, checked before use
(``pool_pre_ping``), so a database restart or a dropped connection costs one reconnect, not a
failed request. SQLite runs in WAL mode and takes its write lock when a writing transaction
begins (``BEGIN IMMEDIATE``), so two writers queue instead of failing half way.

Exactly-once creation: a POST with an Idempotency-Key inserts the key's row and the design
in one transaction; a concurrent request with the same key conflicts on the key's primary
key and returns the stored answer instead of making a second design.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from backend_architect.server.schema import designs, idempotency, reviews, versions

#: Version numbers are 64-bit in both engines.
MAX_NUMBER = 2**63 - 1


class QuotaExceeded(Exception):
    """An owner reached the number of designs, or a design the number of versions, the server allows."""


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


@dataclass(frozen=True)
class Remembered:
    """The first answer to a request made with an Idempotency-Key."""

    fingerprint: str
    status: int
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Idempotent:
    """An Idempotency-Key as it scopes a request: per owner and route, with the request's fingerprint."""

    owner: str
    key: str
    route: str
    fingerprint: str


def engine_for(url: str, pool_size: int = 5) -> Engine:
    """A pooled engine for ``sqlite:///path`` (or ``sqlite://`` in memory) or ``postgresql://`` (psycopg 3)."""
    if url.startswith(("postgresql://", "postgres://")):
        driver_url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return sa.create_engine(driver_url, pool_size=pool_size, max_overflow=pool_size, pool_timeout=10, pool_pre_ping=True, pool_recycle=1800)
    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    if path in {"", ":memory:"}:
        engine = sa.create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=sa.pool.StaticPool)
    else:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, so their kind can be chosen
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get("reading") else "BEGIN IMMEDIATE")

    return engine


class Store:
    """The API's persistence: designs with their versions, reviews, and remembered answers."""

    def __init__(self, url: str = "sqlite:///backend-architect.db", *, max_designs: int = 1000, max_versions: int = 1000, pool_size: int = 5) -> None:
        self.url = url
        self.engine = engine_for(url, pool_size)
        self.max_designs = max_designs
        self.max_versions = max_versions
        self.migrate()

    def migrate(self) -> str:
        """Bring the database to the latest schema with Alembic; return the revision it is at."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite alters a table by copying it; foreign keys must be off for that, and only outside a transaction
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    return str(MigrationContext.configure(connection).get_current_revision())
            finally:
                if sqlite:
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(reading=True) as connection, connection.begin():
            yield connection

    # --- designs -----------------------------------------------------------------------------------

    def create_design(
        self,
        owner: str,
        name: str,
        version: Version,
        *,
        shared: bool = False,
        once: Idempotent | None = None,
        respond: Callable[[dict[str, Any]], Remembered] | None = None,
    ) -> tuple[dict[str, Any], Remembered | None]:
        """A new design at version 1, and the answer ``respond`` gives for it (remembered under ``once``).

        With ``once``, the key's row and the design are written in one transaction; when the
        key is already taken (by an earlier or a concurrent request), nothing is written and the
        remembered answer comes back second.
        """
        design_id, stamp = str(uuid.uuid4()), now()
        with self._writing() as connection:
            if once is not None:
                taken = self._claim(connection, once, stamp)
                if taken is not None:
                    connection.rollback()
                    return {}, taken
            count = connection.execute(sa.select(sa.func.count()).select_from(designs).where(designs.c.owner == owner)).scalar_one()
            if count >= self.max_designs:
                raise QuotaExceeded(f"a key may keep {self.max_designs} designs; delete some first")
            row = {"id": design_id, "owner": owner, "name": name, "shared": shared, "created_at": stamp, "updated_at": stamp, "latest": 1}
            connection.execute(designs.insert().values(**row))
            self._insert_version(connection, design_id, 1, version, stamp)
            answer = respond(row) if respond is not None else None
            if once is not None and answer is not None:
                where = (idempotency.c.owner == once.owner) & (idempotency.c.key == once.key) & (idempotency.c.route == once.route)
                connection.execute(idempotency.update().where(where).values(status=answer.status, body=answer.body, headers=json.dumps(answer.headers)))
        return row, None

    def _claim(self, connection: Connection, once: Idempotent, stamp: str) -> Remembered | None:
        """Insert the key's row (status 0 until the answer is known); the remembered answer when the key was taken."""
        insert = _insert_ignoring_conflicts(connection)(idempotency).values(
            owner=once.owner, key=once.key, route=once.route, fingerprint=once.fingerprint, status=0, body="", headers="{}", created_at=stamp
        )
        if connection.execute(insert.on_conflict_do_nothing().returning(idempotency.c.key)).first() is not None:
            return None
        found = self._remembered(connection, once.owner, once.key, once.route)
        assert found is not None, "a conflicting key row is committed before the conflict is reported"
        return found

    def add_version(self, design_id: str, expected: int, version: Version) -> int | None:
        """A new version when the latest is still ``expected`` (optimistic concurrency); None when it moved on."""
        if expected >= self.max_versions:
            raise QuotaExceeded(f"a design may keep {self.max_versions} versions; start a new design")
        stamp = now()
        with self._writing() as connection:
            moved = connection.execute(
                designs.update().where((designs.c.id == design_id) & (designs.c.latest == expected)).values(latest=expected + 1, updated_at=stamp)
            )
            if moved.rowcount != 1:
                return None
            self._insert_version(connection, design_id, expected + 1, version, stamp)
        return expected + 1

    def set_shared(self, design_id: str, shared: bool) -> None:
        with self._writing() as connection:
            connection.execute(designs.update().where(designs.c.id == design_id).values(shared=shared))

    def delete_design(self, design_id: str) -> None:
        with self._writing() as connection:
            connection.execute(versions.delete().where(versions.c.design_id == design_id))
            connection.execute(designs.delete().where(designs.c.id == design_id))

    def _insert_version(self, connection: Connection, design_id: str, number: int, version: Version, stamp: str) -> None:
        connection.execute(
            versions.insert().values(
                design_id=design_id,
                number=number,
                spec=version.spec,
                summary=json.dumps(version.summary),
                findings=json.dumps(version.findings),
                files=json.dumps(version.files),
                created_at=stamp,
            )
        )

    def design(self, design_id: str) -> dict[str, Any] | None:
        with self._reading() as connection:
            row = connection.execute(sa.select(designs).where(designs.c.id == design_id)).mappings().first()
        return dict(row) if row else None

    def designs(self, owner: str | None, limit: int, after: tuple[str, str] | None) -> list[dict[str, Any]]:
        """An owner's designs (every design for ``None``) newest first, a page at a time (keyset on updated_at, id)."""
        query = sa.select(designs)
        if owner is not None:
            query = query.where(designs.c.owner == owner)
        if after is not None:
            query = query.where((designs.c.updated_at < after[0]) | ((designs.c.updated_at == after[0]) & (designs.c.id < after[1])))
        query = query.order_by(designs.c.updated_at.desc(), designs.c.id.desc()).limit(limit)
        with self._reading() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def version(self, design_id: str, number: int) -> Version | None:
        columns = [versions.c[name] for name in ("design_id", "number", "spec", "summary", "findings", "files", "created_at")]
        with self._reading() as connection:
            row = connection.execute(sa.select(*columns).where((versions.c.design_id == design_id) & (versions.c.number == number))).first()
        if row is None:
            return None
        return Version(row[0], int(row[1]), row[2], json.loads(row[3]), json.loads(row[4]), json.loads(row[5]), row[6])

    def versions(self, design_id: str, limit: int, before: int | None) -> list[dict[str, Any]]:
        query = sa.select(versions.c.number, versions.c.created_at, versions.c.summary).where(versions.c.design_id == design_id)
        if before is not None:
            query = query.where(versions.c.number < before)
        with self._reading() as connection:
            rows = connection.execute(query.order_by(versions.c.number.desc()).limit(limit)).all()
        return [{"number": int(n), "created_at": c, "summary": json.loads(s)} for n, c, s in rows]

    def html(self, design_id: str, number: int) -> str | None:
        """The version's rendered page, when it was rendered before."""
        with self._reading() as connection:
            return connection.execute(sa.select(versions.c.html).where((versions.c.design_id == design_id) & (versions.c.number == number))).scalar()

    def save_html(self, design_id: str, number: int, html: str) -> None:
        with self._writing() as connection:
            connection.execute(versions.update().where((versions.c.design_id == design_id) & (versions.c.number == number)).values(html=html))

    # --- reviews and idempotency ---------------------------------------------------------------

    def save_review(self, owner: str, kind: str, findings: list[dict[str, Any]]) -> str:
        review_id = str(uuid.uuid4())
        with self._writing() as connection:
            connection.execute(reviews.insert().values(id=review_id, owner=owner, kind=kind, findings=json.dumps(findings), created_at=now()))
        return review_id

    def remembered(self, owner: str, key: str, route: str) -> Remembered | None:
        with self._reading() as connection:
            return self._remembered(connection, owner, key, route)

    def _remembered(self, connection: Connection, owner: str, key: str, route: str) -> Remembered | None:
        where = (idempotency.c.owner == owner) & (idempotency.c.key == key) & (idempotency.c.route == route)
        row = connection.execute(sa.select(idempotency.c.fingerprint, idempotency.c.status, idempotency.c.body, idempotency.c.headers).where(where)).first()
        return Remembered(row[0], int(row[1]), row[2], json.loads(row[3])) if row else None


def _insert_ignoring_conflicts(connection: Connection) -> Any:
    """The dialect's INSERT that can say ON CONFLICT DO NOTHING."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
