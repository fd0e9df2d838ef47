"""The store as the numbered migrations left it: designs, versions, reviews, idempotency keys.

A database made before Alembic already has these tables: they are kept (and the old
``schema_migrations`` table dropped), so its designs survive the move.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "designs" not in existing:
        op.create_table(
            "designs",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("created_at", sa.String(32), nullable=False),
            sa.Column("updated_at", sa.String(32), nullable=False),
            sa.Column("latest", sa.Integer, nullable=False),
        )
        op.create_index("ix_designs_updated_at_id", "designs", ["updated_at", "id"])
    if "versions" not in existing:
        op.create_table(
            "versions",
            sa.Column("design_id", sa.String(36), sa.ForeignKey("designs.id"), primary_key=True),
            sa.Column("number", sa.Integer, primary_key=True),
            sa.Column("spec", sa.Text, nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("findings", sa.Text, nullable=False),
            sa.Column("files", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(32), nullable=False),
        )
    if "reviews" not in existing:
        op.create_table(
            "reviews",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("findings", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(32), nullable=False),
        )
    if "idempotency" not in existing:
        op.create_table(
            "idempotency",
            sa.Column("key", sa.String(200), primary_key=True),
            sa.Column("route", sa.String(100), primary_key=True),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("status", sa.Integer, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("headers", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(32), nullable=False),
        )
    if "schema_migrations" in existing:
        op.drop_table("schema_migrations")


def downgrade() -> None:
    for table in ("idempotency", "reviews", "versions", "designs"):
        op.drop_table(table)
