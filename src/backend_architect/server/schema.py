"""The HTTP API's tables, as SQLAlchemy Core metadata: one definition for SQLite and PostgreSQL.

Alembic's migrations (``migrations/versions``) bring a database to this shape; the store's
queries are built from these tables, so no SQL is written twice for two dialects.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

designs = sa.Table(
    "designs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("latest", sa.BigInteger, nullable=False),
    sa.Index("ix_designs_updated_at_id", "updated_at", "id"),
    sa.Index("ix_designs_owner_updated_at_id", "owner", "updated_at", "id"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("design_id", sa.String(36), sa.ForeignKey("designs.id"), primary_key=True),
    sa.Column("number", sa.BigInteger, primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("findings", sa.Text, nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("findings", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("owner", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("route", sa.String(100), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("headers", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)
