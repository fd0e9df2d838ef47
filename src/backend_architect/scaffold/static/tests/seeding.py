"""Rows put straight into the tables (as their owner) so a test can read, list or change them through the API.

Values follow each column's designed type and constraints (lengths, enumerations, the
fixed length of currency codes); a foreign key gets a parent row seeded first.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from design import TABLES

BASE_DATE = datetime.date(2026, 1, 1)
BASE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def synthetic(column: dict[str, Any], n: int) -> Any:
    """A value column ``column`` accepts, different for each ``n`` where the type allows."""
    kind, length = column["type"], column.get("length")
    if column.get("format") == "email":
        return f"user{n}.{uuid.uuid4().hex[:8]}@example.com"
    if column.get("format") == "uri":
        return f"https://example.com/{n}/{uuid.uuid4().hex[:8]}"
    if column.get("enum"):
        return column["enum"][n % len(column["enum"])]
    if (column.get("pattern") or "").startswith("^uploads/"):
        return f"uploads/seed/{column['name']}/2026/03/{uuid.uuid4()}"  # an object key, in the format the upload operation issues
    if kind == "uuid":
        return uuid.uuid4()
    if kind in {"bigint", "integer", "smallint"}:
        return n + 1
    if kind == "boolean":
        return True
    if kind == "numeric":
        return Decimal(n % 1000) + Decimal("0.5")
    if kind == "float":
        return n + 0.5
    if kind == "char":
        return "EUR" if length == 3 else "X" * (length or 1)
    if kind in {"varchar", "text"}:
        return f"{column['name']}-{n}-{uuid.uuid4().hex[:8]}"[: length or 200]
    if kind == "date":
        return BASE_DATE + datetime.timedelta(days=n)
    if kind == "timestamptz":
        return BASE_TIME + datetime.timedelta(minutes=n)
    if kind == "jsonb":
        return Jsonb({"n": n})
    if kind == "vector":
        return [0.0] * (column.get("dims") or 1)
    if kind == "bytea":
        return b"x"
    raise ValueError(f"no synthetic value for {kind}")


class Seeder:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.counter = 0

    def seed(self, table: str, **values: Any) -> dict[str, Any]:
        """Insert one row of ``table`` ("schema.table" or "table"): ``values`` as given, the rest synthesised, parents seeded."""
        spec = TABLES[table]
        self.counter += 1
        row: dict[str, Any] = {}
        for column in spec["columns"]:
            name = column["name"]
            if name in values:
                value = values[name]
                row[name] = Jsonb(value) if column["type"] == "jsonb" and value is not None and not isinstance(value, Jsonb) else value
            elif column.get("identity") or (column["nullable"] and name not in spec["foreign"]) or column.get("has_default"):
                continue
            elif name in spec["foreign"]:
                parent = TABLES[spec["foreign"][name]]
                same_tenant = {parent["tenant"]: values[spec["tenant"]]} if parent.get("tenant") and spec.get("tenant") in values else {}
                row[name] = self.seed(spec["foreign"][name], **same_tenant)[parent["key"]]
            else:
                row[name] = synthetic(column, self.counter)
        target = sql.Identifier(spec["schema"], spec["name"]) if spec["schema"] else sql.Identifier(spec["name"])
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            target, sql.SQL(", ").join(map(sql.Identifier, row)), sql.SQL(", ").join(sql.Placeholder() * len(row))
        )
        with self.conn.cursor(row_factory=psycopg.rows.dict_row) as cursor:
            cursor.execute(query, list(row.values()))
            inserted = cursor.fetchone()
        assert inserted is not None
        return inserted

    def truncate(self) -> None:
        """Empty every table of the service (runtime tables included) before a test."""
        names = [sql.Identifier(s["schema"], s["name"]) if s["schema"] else sql.Identifier(s["name"]) for s in TABLES.values()]
        self.conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(names)))
