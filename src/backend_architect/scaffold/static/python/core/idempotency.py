"""Idempotency-Key on creates and actions: a retried request gets the first answer, not a second resource.

The key is claimed in the same transaction as the write, so a crash between the write and
the stored answer cannot happen: either both commit or neither does. A concurrent retry
waits on the claim's row lock and then replays the answer. Keys are scoped to the caller and
the operation, and answers are replayed for 7 days, as long as the design keeps the key (its
expiry job deletes keys past that age), as the contract promises.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .problems import Problem

#: How long an answer is replayed: the whole time the key is kept (the contract's IdempotencyKey parameter and the
#: design's retention of the keys table say the same 7 days).
RETENTION = datetime.timedelta(days=7)
#: Headers of the first answer that a replay repeats.
REPLAYED_HEADERS = ("location", "etag")


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


def fingerprint(method: str, path: str, body: Any) -> str:
    """The request's identity: a reused key with another request is a conflict, not a replay."""
    try:
        canonical = orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:  # integers beyond 64 bits, possible inside a JSON property
        canonical = json.dumps([method, path, body], sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


async def claim(conn: AsyncConnection, table: Table, scope: str, key: str, request_hash: str) -> StoredResponse | None:
    """Claim ``key`` for this request, or return the answer stored for it (409 if it was used for another request)."""
    now = datetime.datetime.now(datetime.UTC)
    claimed = await conn.execute(
        pg_insert(table)
        .values(scope=scope, key=key, request_hash=request_hash, created_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(table.c.key)
    )
    if claimed.first() is not None:
        return None
    row = (await conn.execute(select(table).where(and_(table.c.scope == scope, table.c.key == key)).with_for_update())).mappings().one()
    if row["created_at"] < now - RETENTION:
        # an expired key is free again: take it over for this request (no sweep on the hot path)
        fresh = {"request_hash": request_hash, "created_at": now, "status": None, "body": None, "headers": None}
        await conn.execute(update(table).where(and_(table.c.scope == scope, table.c.key == key)).values(fresh))
        return None
    if row["request_hash"] != request_hash:
        raise Problem(409, "This Idempotency-Key was already used for a different request; use a new key.")
    if row["status"] is None:
        raise Problem(409, "A request with this Idempotency-Key is still in progress; retry shortly.")
    return StoredResponse(row["status"], row["body"], dict(row["headers"] or {}))


async def remember(conn: AsyncConnection, table: Table, scope: str, key: str, response: StoredResponse) -> None:
    """Store the answer for replays, in the transaction that made it."""
    headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
    await conn.execute(
        update(table).where(and_(table.c.scope == scope, table.c.key == key)).values(status=response.status, body=response.body, headers=headers)
    )
