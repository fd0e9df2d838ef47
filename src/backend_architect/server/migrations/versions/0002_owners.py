"""Owners and sharing: every design, review and idempotency key belongs to an API key's owner; versions cache their page.

Designs made before owners existed belong to ``legacy``, which only an admin key reads.
Numbers become 64-bit; idempotency keys are scoped per owner.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

LEGACY_OWNER = "legacy"


def upgrade() -> None:
    with op.batch_alter_table("designs") as table:
        table.add_column(sa.Column("owner", sa.String(200), nullable=False, server_default=LEGACY_OWNER))
        table.add_column(sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()))
        table.alter_column("latest", type_=sa.BigInteger)
        table.create_index("ix_designs_owner_updated_at_id", ["owner", "updated_at", "id"])
    with op.batch_alter_table("versions") as table:
        table.add_column(sa.Column("html", sa.Text, nullable=True))
        table.alter_column("number", type_=sa.BigInteger)
    with op.batch_alter_table("reviews") as table:
        table.add_column(sa.Column("owner", sa.String(200), nullable=False, server_default=LEGACY_OWNER))
    op.drop_table("idempotency")
    op.create_table(
        "idempotency",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("route", sa.String(100), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the store does not move back to a version without owners")
