"""The database: one async engine per process, a transaction per request, tenant and errors translated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .config import Settings
from .problems import Problem

_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant, true)")

#: SQLSTATE classes and codes -> (status, what the client did), for errors the client caused.
_CLIENT_ERRORS: dict[str, tuple[int, str]] = {
    "23505": (409, "A resource with these unique values already exists."),
    "23503": (409, "The request refers to a resource that does not exist, or one that others still refer to."),
    "23514": (422, "A value is outside what the schema allows."),
    "23502": (422, "A required value is missing."),
    "22001": (422, "A value is longer than the schema allows."),
    "22003": (422, "A number is outside the range the schema allows."),
    "22007": (422, "A date or time is not valid."),
    "22008": (422, "A date or time is out of range."),
    "22P02": (422, "A value has the wrong format."),
    "22P05": (422, "A string holds a character the database cannot store."),
    "40001": (503, "The request collided with a concurrent one; retry it."),
    "40P01": (503, "The request collided with a concurrent one; retry it."),
    "55P03": (503, "The resource is busy; retry it."),
    "57014": (503, "The request took too long."),
}


def async_url(url: str) -> str:
    """``postgresql://`` as SQLAlchemy's psycopg 3 driver wants it."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def translate(error: DBAPIError) -> Problem | None:
    """The problem to answer for a database error the request caused, or None for our own faults."""
    code = getattr(error.orig, "sqlstate", None)
    found = _CLIENT_ERRORS.get(code or "")
    return Problem(found[0], found[1]) if found else None


class Database:
    """The engine (a bounded pool) and the transactions requests run in."""

    def __init__(self, settings: Settings) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(settings.database_url),
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=5,
            pool_recycle=1800,
            connect_args={"options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c lock_timeout=2000", "connect_timeout": 5},
        )

    @asynccontextmanager
    async def transaction(self, tenant: str | None = None, *, tenant_scoped: bool = False) -> AsyncIterator[AsyncConnection]:
        """A transaction, with ``app.tenant_id`` set for row-level security when the data is tenant-scoped.

        Errors the client caused (a duplicate key, a missing referenced row) become problems;
        the transaction is rolled back either way.
        """
        if tenant_scoped and tenant is None:
            raise Problem(403, "This data belongs to a tenant, and the token names none.")
        try:
            async with self.engine.begin() as conn:
                if tenant_scoped:
                    await conn.execute(_SET_TENANT, {"tenant": tenant})
                yield conn
        except DBAPIError as exc:
            problem = translate(exc)
            if problem is None:
                raise
            raise problem from None

    @asynccontextmanager
    async def reading(self, tenant: str | None = None, *, tenant_scoped: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection for reads: one statement, no BEGIN/COMMIT round trips, unless the tenant must be set in a transaction."""
        if tenant_scoped:
            async with self.transaction(tenant, tenant_scoped=True) as conn:
                yield conn
            return
        try:
            async with self.engine.connect() as conn:
                yield await conn.execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError as exc:
            problem = translate(exc)
            if problem is None:
                raise
            raise problem from None

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def one(result: Any) -> dict[str, Any] | None:
    """The first row of a result as a dict, or None."""
    row = result.mappings().first()
    return dict(row) if row is not None else None
