"""Full-text search: PostgreSQL's GIN index, or the search engine the design placed the documents in, fed by an indexer.

The local adapter matches ``websearch_to_tsquery`` against ``to_tsvector`` of the searched
columns (the runtime migration creates their GIN index when the design moved the documents to
an engine). The OpenSearch adapter asks the engine for the matching keys (at most
``MAX_HITS``) and the database does the rest (visibility, filters, order, pages), so both
answer the same rows in the same order. The indexer (``python -m <package> indexer``) keeps
the engine current from the outbox: each event of a searched row reindexes it (or removes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Column, false, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Integer, Uuid

from .problems import Problem
from .refs import holds
from .resources import Operation, Resource, Search, document

log = structlog.get_logger(__name__)

#: Keys one search asks the engine for (its default index.max_result_window is 10,000).
MAX_HITS = 1_000


@dataclass(frozen=True)
class Indexed:
    """A resource whose rows the engine indexes: the searched columns and the events that change them."""

    resource: Resource
    search: Search
    events: tuple[str, ...]


def _query(search: Search, q: str) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(literal_column(f"'{search.config}'"), q)


class PostgresSearch:
    """Matches in the database: the searched columns' tsvector against the words (the GIN index serves it)."""

    external = False

    async def matches(self, ctx: Any, op: Operation, q: str, params: Any = None) -> ColumnElement[bool]:
        search = op.search
        assert search is not None
        query = _query(search, q)
        own = [r.column for r in search.columns if not r.via]
        parts: list[ColumnElement[bool]] = [document(search.config, *own).op("@@")(query)] if own else []
        for ref in search.columns:
            if ref.via:
                parts.append(holds(ref, lambda column: document(search.config, column).op("@@")(query)))
        return or_(*parts) if parts else false()

    async def put(self, indexed: Indexed, row: dict[str, Any], joined: dict[str, list[Any]]) -> None:
        return None

    async def remove(self, indexed: Indexed, key: str) -> None:
        return None


def key_value(column: Column[Any], text: str) -> Any:
    if isinstance(column.type, Uuid):
        return uuid.UUID(text)
    if isinstance(column.type, Integer):
        return int(text)
    return text


class OpenSearchIndex:
    """The documents in OpenSearch (one index per searched table), queried over its REST API with a timeout."""

    external = True

    def __init__(self, url: str, timeout_s: float) -> None:
        import httpx  # optional: the [search] extra

        self.url = url.rstrip("/")
        self.client = httpx.AsyncClient(timeout=timeout_s)

    @staticmethod
    def index(resource: Resource) -> str:
        return resource.table.name.replace("_", "-")

    async def matches(self, ctx: Any, op: Operation, q: str, params: Any = None) -> ColumnElement[bool]:
        search = op.search
        assert search is not None
        resource = op.resource
        fields = [r.column.name if not r.via else f"{r.column.table.name}_{r.column.name}" for r in search.columns]
        tenant = resource.tenant.name if resource.tenant is not None else None
        filters: list[dict[str, Any]] = [{"term": {tenant: str(ctx.principal.tenant)}}] if tenant else []
        routed = None
        if search.routing is not None and search.routing == tenant:
            routed = ctx.principal.tenant  # a tenant's rows, routed by the tenant every query is scoped to
        elif search.routing is not None and (routed := (params or {}).get(search.routing)) is not None:
            # the scope every search carries: the one shard holding its documents answers, filtered to them
            filters.append({"term": {search.routing: str(routed)}})
        body = {
            "size": MAX_HITS,
            "_source": False,
            "query": {"bool": {"must": {"simple_query_string": {"query": q, "fields": fields, "default_operator": "and"}}, "filter": filters}},
        }
        try:
            query = {"routing": str(routed)} if routed is not None else None
            answer = await self.client.post(f"{self.url}/{self.index(resource)}/_search", json=body, params=query)
            answer.raise_for_status()
        except Exception as exc:
            log.warning("search engine unavailable", error=str(exc)[:200])
            raise Problem(503, "Search is unavailable; retry shortly.") from None
        keys = [key_value(resource.key, hit["_id"]) for hit in answer.json().get("hits", {}).get("hits", [])]
        return resource.key.in_(keys) if keys else false()

    async def put(self, indexed: Indexed, row: dict[str, Any], joined: dict[str, list[Any]]) -> None:
        document_ = {r.column.name: row.get(r.column.name) for r in indexed.search.columns if not r.via}
        document_.update(joined)
        if indexed.resource.tenant is not None:
            document_[indexed.resource.tenant.name] = str(row[indexed.resource.tenant.name])
        routing = indexed.search.routing
        if routing is not None:
            document_[routing] = str(row[routing])
        key = str(row[indexed.resource.key.name])
        query = {"routing": str(row[routing])} if routing is not None else None
        answer = await self.client.put(f"{self.url}/{self.index(indexed.resource)}/_doc/{key}", json=document_, params=query)
        answer.raise_for_status()

    async def remove(self, indexed: Indexed, key: str) -> None:
        if indexed.search.routing is not None:
            # the row (and so its routing value) is gone: find the document by id on every shard
            body = {"query": {"ids": {"values": [key]}}}
            answer = await self.client.post(f"{self.url}/{self.index(indexed.resource)}/_delete_by_query", json=body)
        else:
            answer = await self.client.delete(f"{self.url}/{self.index(indexed.resource)}/_doc/{key}")
        if answer.status_code not in {200, 404}:
            answer.raise_for_status()


async def joined_values(conn: AsyncConnection, search: Search, row: dict[str, Any]) -> dict[str, list[Any]]:
    """The searched values of joined rows (a video's tag names), for the document of ``row``."""
    out: dict[str, list[Any]] = {}
    for ref in search.columns:
        if not ref.via:
            continue
        first = ref.via[0]
        query = select(ref.column).select_from(first.right.table)
        for hop in ref.via[1:]:
            query = query.join_from(hop.left.table, hop.right.table, hop.left == hop.right)
        query = query.where(first.right == row[first.left.name])
        out[f"{ref.column.table.name}_{ref.column.name}"] = [v for (v,) in (await conn.execute(query)).all()]
    return out


async def reindex(conn: AsyncConnection, engine: Any, indexed: Indexed, key_text: str) -> None:
    """Put the row's current document in the engine, or take it out when the row is gone (or soft-deleted)."""
    resource = indexed.resource
    query = select(resource.table).where(resource.key == key_value(resource.key, key_text))
    if resource.deleted_at is not None:
        query = query.where(resource.deleted_at.is_(None))
    found = (await conn.execute(query)).mappings().first()
    if found is None:
        await engine.remove(indexed, key_text)
        return
    row = dict(found)
    await engine.put(indexed, row, await joined_values(conn, indexed.search, row))


def handles(searches: Sequence[Indexed], event_type: str) -> list[Indexed]:
    return [s for s in searches if event_type in s.events]
