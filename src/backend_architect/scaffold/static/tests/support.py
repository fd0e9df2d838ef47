"""Scenarios the generated use-case tests run: each operation exercised the way a client would, checked against the contract."""

from __future__ import annotations

import copy
import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import event

import contract
from design import OPERATIONS, TABLES
from keys import Keys
from seeding import BASE_TIME, Seeder


def _key(op: dict[str, Any]) -> str:
    return op["table"]


@dataclass
class Scenario:
    client: TestClient
    db: psycopg.Connection[Any]
    keys: Keys
    seeder: Seeder
    subject: str = field(default_factory=lambda: str(uuid.uuid4()))
    tenant: str = field(default_factory=lambda: str(uuid.uuid4()))
    statements: list[tuple[str, Any]] = field(default_factory=list)

    # --- calling the API ------------------------------------------------------------

    def headers(self, op_id: str, *, subject: str | None = None, tenant: str | None = None, scopes: list[str] | None = None) -> dict[str, str]:
        op = OPERATIONS[op_id]
        if op["auth"] == "none":
            return {}
        return self.keys.headers(subject or self.subject, op["scopes"] if scopes is None else scopes, tenant or self.tenant)

    def call(
        self,
        op_id: str,
        path: dict[str, Any] | None = None,
        *,
        query: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        auth: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Call one operation and check the answer against the contract."""
        op = OPERATIONS[op_id]
        url = op["path"].format(**{k: str(v) for k, v in (path or {}).items()})
        sent = {**(self.headers(op_id) if auth is None else auth), **(headers or {})}
        response = self.client.request(op["method"].upper(), url, params=query, json=json, headers=sent)
        contract.validate(op_id, response)
        return response

    # --- data -----------------------------------------------------------------------

    def parent(self, op_id: str) -> dict[str, Any] | None:
        op = OPERATIONS[op_id]
        if not op["parent"]:
            return None
        parent = TABLES[op["parent"]["table"]]
        return self.seeder.seed(op["parent"]["table"], **({parent["tenant"]: uuid.UUID(self.tenant)} if parent.get("tenant") else {}))

    def visible(self, op_id: str, parent: dict[str, Any] | None, **values: Any) -> dict[str, Any]:
        """A row the operation's caller may see: their tenant, their own (owner-only), under ``parent``, matching the list's constant filter."""
        op = OPERATIONS[op_id]
        table = TABLES[_key(op)]
        row: dict[str, Any] = dict(op["where_values"])
        if table.get("tenant"):
            row[table["tenant"]] = uuid.UUID(self.tenant)
        if op["owner"]:
            row[op["owner"]] = uuid.UUID(self.subject) if _kind(table, op["owner"]) == "uuid" else self.subject
        if parent is not None:
            row[op["parent"]["column"]] = parent[TABLES[op["parent"]["table"]]["key"]]
        row.update(values)
        return self.seeder.seed(_key(op), **row)

    def path_for(self, op_id: str, row: dict[str, Any] | None, parent: dict[str, Any] | None) -> dict[str, Any]:
        op = OPERATIONS[op_id]
        path: dict[str, Any] = {}
        if op["parent"] and parent is not None:
            path[op["parent"]["param"]] = parent[TABLES[op["parent"]["table"]]["key"]]
        if op["key_param"] and row is not None:
            path[op["key_param"]] = row[TABLES[_key(op)]["key"]]
        return path

    def body(self, op_id: str, n: int = 1) -> Any:
        """The design's example request, made unique where the table demands it, with real rows behind its references."""
        op = OPERATIONS[op_id]
        body = copy.deepcopy(op["example"])
        if not isinstance(body, dict):
            return body
        table = TABLES[_key(op)]
        for prop, spec in op["unique"].items():
            if prop in body:
                body[prop] = _vary(spec, n)
        for prop, target in op["references"].items():
            if prop in body or prop in op["required"]:
                referenced = TABLES[target]
                values = {referenced["tenant"]: uuid.UUID(self.tenant)} if referenced.get("tenant") else {}
                key = self.seeder.seed(target, **values)[referenced["key"]]
                body[prop] = key if isinstance(key, int) else str(key)
        if op["owner"] and op["owner"] in body:
            body[op["owner"]] = self.subject
        del table
        return body

    def outbox(self, op_id: str) -> list[str]:
        op = OPERATIONS[op_id]
        outbox = op["outbox"]
        target = sql.Identifier(*outbox.split(".")) if "." in outbox else sql.Identifier(outbox)
        rows = self.db.execute(sql.SQL("SELECT event_type FROM {} ORDER BY created_at, id").format(target)).fetchall()
        return [r[0] for r in rows]

    # --- capturing the SQL a request runs ------------------------------------------------

    def capture(self) -> None:
        engine = self.client.app.state.services.db.engine.sync_engine  # type: ignore[attr-defined]

        def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
            self.statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", record)

    def index_names(self, index: str) -> set[str]:
        """The designed index and, on a partitioned table, each partition's index attached to it (plans name those)."""
        rows = self.db.execute(
            "SELECT c.relname FROM pg_class p JOIN pg_inherits i ON i.inhparent = p.oid JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE p.relname = %s AND p.relkind = 'I'",
            (index,),
        ).fetchall()
        return {index, *(r[0] for r in rows)}

    def plan(self, statement: str, parameters: Any, table: str, only: str) -> str:
        """EXPLAIN of a statement the service ran, with ``only`` the table's one index and sequential scans priced out.

        The tables here hold a handful of rows, so the planner's choice among indexes says
        nothing; with every other index of the table dropped (inside a transaction that is
        rolled back), a plan on the designed index proves the query matches it: its columns,
        order, partial predicate and expression.
        """
        spec = TABLES[table]
        qualified = f'"{spec["schema"]}"."{spec["name"]}"' if spec["schema"] else f'"{spec["name"]}"'
        with self.db.cursor() as cursor:
            cursor.execute("BEGIN")
            try:
                cursor.execute("SET LOCAL enable_seqscan = off")
                others = cursor.execute(
                    "SELECT i.relname, c.conname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
                    "WHERE x.indrelid = %s::regclass AND i.relname <> %s",
                    (qualified, only),
                ).fetchall()
                for index, constraint in others:
                    if constraint:
                        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {} CASCADE").format(sql.SQL(qualified), sql.Identifier(constraint)))
                    else:
                        cursor.execute(sql.SQL("DROP INDEX {} CASCADE").format(sql.Identifier(*(spec["schema"], index) if spec["schema"] else (index,))))
                rows = cursor.execute(f"EXPLAIN {statement}".encode(), parameters).fetchall()  # type: ignore[call-overload]
            finally:
                cursor.execute("ROLLBACK")
        return "\n".join(r[0] for r in rows)


def _kind(table: dict[str, Any], column: str) -> str:
    return str(next(c["type"] for c in table["columns"] if c["name"] == column))


def different(op_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """``body`` with one property changed to another valid value (None when no property can be)."""
    for prop, spec in OPERATIONS[op_id]["props"].items():
        if prop not in body or prop in OPERATIONS[op_id]["references"]:
            continue
        value = body[prop]
        if spec.get("enum") and len([v for v in spec["enum"] if v is not None]) > 1:
            return {**body, prop: next(v for v in spec["enum"] if v is not None and v != value)}
        if spec.get("type") == "integer" and isinstance(value, int):
            return {**body, prop: value + 1 if value < 2**31 - 2 else value - 1}
        if spec.get("type") == "string" and not spec.get("format") and not spec.get("pattern") and (spec.get("maxLength") or 2) >= 2:
            return {**body, prop: ("x" + str(value))[: spec.get("maxLength") or 200] if value != "x" else "y"}
    return None


def _vary(spec: dict[str, Any], n: int) -> Any:
    """A unique value for a property the table keeps unique."""
    token = uuid.uuid4().hex[:12]
    if spec.get("format") == "uuid":
        return str(uuid.uuid4())
    if spec.get("type") == "integer":
        return n * 1000 + int(token[:3], 16)
    if spec.get("format") == "email":
        return f"user{n}.{token}@example.com"
    limit = spec.get("maxLength") or 200
    return f"{n}-{token}"[:limit]


def sort_value(row: dict[str, Any], column: str) -> Any:
    return row[column]


def expected_order(rows: list[dict[str, Any]], keys: list[list[Any]]) -> list[str]:
    """Ids in the order PostgreSQL returns them: NULLS LAST ascending, NULLS FIRST descending."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for column, descending in keys:
            value = row[column]
            missing = value is None
            parts.append((not missing) if descending else missing)
            parts.append(_Reverse(value) if descending and not missing else value if not missing else 0)
        return tuple(parts)

    return [str(r["id"]) for r in sorted(rows, key=key)]


class _Reverse:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and self.value == other.value


def timeline(n: int) -> datetime.datetime:
    return BASE_TIME + datetime.timedelta(minutes=n)
