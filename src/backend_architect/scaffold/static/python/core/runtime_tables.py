"""The tables the runtime keeps beside each module's own: the transactional outbox and the idempotency keys.

They are created by the module's ``0000_runtime.sql`` migration; these definitions only build queries.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB


def outbox_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """Events written in the same transaction as the change they report, until the relay publishes them."""
    return Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("channel", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("event_key", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        schema=schema,
    )


def deliveries_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """The outbox events each consumer (search indexer, feed fan-out, real-time gateway) has handled."""
    return Table(
        name,
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("handled_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


def idempotency_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """One row per (caller and operation, Idempotency-Key): the request's fingerprint and the answer it got."""
    return Table(
        name,
        metadata,
        Column("scope", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("request_hash", Text, nullable=False),
        Column("status", Integer),
        Column("body", LargeBinary),
        Column("headers", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )
