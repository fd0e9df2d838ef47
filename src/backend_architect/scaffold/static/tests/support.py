"""Scenarios the generated use-case tests run: each operation exercised the way a client would, checked against the contract."""

from __future__ import annotations

import copy
import datetime
import hashlib
import hmac
import time
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

#: The secret the tests share with every external system that calls back (``conftest`` configures the service with it).
WEBHOOK_SECRET = "test-webhook-secret"


def _carries(value: Any, path: list[str]) -> bool:
    """Whether ``value`` (a row, or rows) holds ``path``, through nested rows."""
    if isinstance(value, list):
        return any(_carries(item, path) for item in value)
    if not isinstance(value, dict) or path[0] not in value:
        return False
    return len(path) == 1 or _carries(value[path[0]], path[1:])


def _key(op: dict[str, Any]) -> str:
    return op["table"]


@dataclass
class Scenario:
    client: TestClient
    db: psycopg.Connection[Any]
    keys: Keys
    seeder: Seeder
    #: The tables' owner's connection URL (jobs run as the owner, to whom row-level security does not apply).
    owner_url: str = ""
    subject: str = field(default_factory=lambda: str(uuid.uuid4()))
    tenant: str = field(default_factory=lambda: str(uuid.uuid4()))
    statements: list[tuple[str, Any]] = field(default_factory=list)

    # --- calling the API ------------------------------------------------------------

    def headers(
        self, op_id: str, *, subject: str | None = None, tenant: str | None = None, scopes: list[str] | None = None, service: bool | None = None
    ) -> dict[str, str]:
        """A token for the operation's caller: a service's (client credentials) where only services call it, else a person's."""
        op = OPERATIONS[op_id]
        if op["auth"] == "none":
            return {}
        as_service = op["services_only"] if service is None else service
        return self.keys.headers(subject or self.subject_for(op_id), op["scopes"] if scopes is None else scopes, tenant or self.tenant, service=as_service)

    def subject_for(self, op_id: str) -> str:
        """The caller's id as the operation's owner column holds it: the scenario's UUID, or a number for an integer column."""
        op = OPERATIONS[op_id]
        chain = op.get("owner_chain")
        table, column = (chain["table"], chain["column"]) if chain else (op["table"], op["owner"])
        if column and _kind(TABLES[table], column) in {"bigint", "integer", "smallint"}:
            return str(uuid.UUID(self.subject).int % 2_000_000_000)
        return self.subject

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
        """Call one operation and check the answer against the contract. A members-only operation called as the scenario's caller
        makes them a member of the scope first, and a successful answer is checked against a stranger's: refused, as designed."""
        op = OPERATIONS[op_id]
        url = op["path"].format(**{k: str(v) for k, v in (path or {}).items()})
        sent = {**(self.headers(op_id) if auth is None else auth), **(headers or {})}
        members = op.get("members")
        if members and auth is None:
            self.join(op_id, members, path or {}, query or {}, json)
        if op.get("signed_by") and not any(k.lower() == "x-signature" for k in (headers or {})):
            response = self.signed(op_id, url, query, json, sent)
        else:
            response = self.client.request(op["method"].upper(), url, params=query, json=json, headers=sent)
        contract.validate(op_id, response)
        if response.status_code == 200 and op.get("withheld"):
            body = response.json()
            rows = body.get("items", []) if op["kind"] == "list" else [body]
            leaked = [name for name in op["withheld"] for row in rows if _carries(row, name.split("."))]
            assert not leaked, f"{op_id} answers other users' personal data: {sorted(set(leaked))}"
        if members and auth is None and response.status_code < 300:
            stranger = {**sent, **self.headers(op_id, subject=str(uuid.uuid4()))}
            refused = self.client.request(op["method"].upper(), url, params=query, json=json, headers=stranger)
            assert refused.status_code == members["status"], f"a caller who is not a member got {refused.status_code}: {refused.text}"
        return response

    def signed(
        self, op_id: str, url: str, query: dict[str, Any] | None, json: Any, headers: dict[str, str], *, age_s: int = 0, secret: str = WEBHOOK_SECRET
    ) -> httpx.Response:
        """Call an operation an external system calls back, as that system: the raw body signed with the secret it shares
        (``age_s`` seconds ago, or with another ``secret``, to be refused)."""
        op = OPERATIONS[op_id]
        # the very bytes httpx would send for ``json``: the signature covers the raw body the service receives
        body = b"" if json is None else httpx.Request(op["method"].upper(), url, json=json).read()
        stamp = int(time.time()) - age_s
        digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        sent = {**headers, "x-signature": f"t={stamp},v1={digest}"}
        if json is not None:
            sent["content-type"] = "application/json"
        return self.client.request(op["method"].upper(), url, params=query, content=body, headers=sent)

    def join(self, op_id: str, members: dict[str, Any], path: dict[str, Any], query: dict[str, Any], json: Any) -> None:
        """Make the scenario's caller a member of the scope the request names (or the addressed row is in), when it exists."""
        op = OPERATIONS[op_id]
        name = members["name"]
        if members["source"] == "row":
            key = TABLES[_key(op)]["key"]
            rows = self.rows(_key(op), **{key: path.get(op["key_param"])}) if op["key_param"] in path else []
            scope = rows[0][name] if rows else None
        else:
            scope = {"path": path, "query": query, "body": json if isinstance(json, dict) else {}}[members["source"]].get(name)
        table = TABLES[members["table"]]
        scopes = table["foreign"].get(members["scope_column"])
        if scope is None or (scopes and not self.rows(scopes, **{TABLES[scopes]["key"]: scope})):
            return
        values = {members["scope_column"]: scope, members["member_column"]: self.caller_value(members["table"], members["member_column"])}
        if not self.rows(members["table"], **values):
            self.seeder.seed(members["table"], **values, **self.tenant_values(members["table"]))

    # --- data -----------------------------------------------------------------------

    def tenant_values(self, table: str) -> dict[str, Any]:
        spec = TABLES[table]
        return {spec["tenant"]: uuid.UUID(self.tenant)} if spec.get("tenant") else {}

    def parent(self, op_id: str) -> dict[str, Any] | None:
        op = OPERATIONS[op_id]
        if not op["parent"]:
            return None
        return self.seeder.seed(op["parent"]["table"], **self.tenant_values(op["parent"]["table"]))

    def path_values(self, op_id: str) -> dict[str, Any]:
        """A value for each path parameter that names a column of the rows (``/users/{user_id}/tweets``), shared by the scenario."""
        op = OPERATIONS[op_id]
        values = getattr(self, "_path_values", {}).get(op_id)
        if values is None:
            values = {f["param"]: self.value_for(op["table"], f["column"]) for f in op["path_filters"] if not f["chain"]}
            self.__dict__.setdefault("_path_values", {})[op_id] = values
        return values

    def visible(self, op_id: str, parent: dict[str, Any] | None, joined: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
        """A row the operation's caller may see: their tenant, their own (owner-only, directly or through joined rows), under
        ``parent``, matching the list's constant filter; ``joined`` are values of the joined row the owner is found through."""
        op = OPERATIONS[op_id]
        row: dict[str, Any] = dict(op["where_values"])
        row.update(self.tenant_values(_key(op)))
        if op["owner"]:
            row[op["owner"]] = self.caller_value(_key(op), op["owner"])
        if parent is not None:
            row[op["parent"]["column"]] = parent[TABLES[op["parent"]["table"]]["key"]]
        for item in op["path_filters"]:
            if not item["chain"]:
                row[item["column"]] = self.path_values(op_id)[item["param"]]
        row.update(values)
        seeded = self.seeder.seed(_key(op), **row)
        chain = op.get("owner_chain")
        if chain:
            far = self.reach(seeded, chain, {chain["column"]: self.caller_value(chain["table"], chain["column"]), **(joined or {})})
            key = TABLES[_key(op)]["key"]
            seeded = self.rows(_key(op), **{key: seeded[key]})[0]  # the joins may have pointed it at a seeded row
            seeded = {**{k: v for k, v in far.items() if k not in seeded}, **seeded}
        return seeded

    def reach(self, row: dict[str, Any], chain: dict[str, Any], final: dict[str, Any], hops: list[list[str]] | None = None) -> dict[str, Any]:
        """Seed the rows that join ``row`` to the chain's table, the last one holding ``final``; returns that last row.

        Each hop ``left.column = right.column`` is followed one way or the other: when the left column is its table's key,
        the right row references the left one (seeded pointing at it); otherwise the left row references the right one
        (seeded first, and the left row pointed at it).
        """
        hops = chain["hops"] if hops is None else hops
        left_table, left_column, right_table, right_column = hops[0]
        rest = hops[1:]
        values = {**self.tenant_values(right_table)}
        last = None
        if not rest:
            values.update(final)
        elif rest[0][1] != TABLES[right_table]["key"]:
            # the next hop starts from a reference this row holds: seed the far side first, then point at it
            far, last = self._far(rest, chain, final)
            values[rest[0][1]] = far[rest[0][3]]
        if left_column == TABLES[left_table]["key"]:
            values[right_column] = row[left_column]
            new = self.seeder.seed(right_table, **values)
        else:
            new = self.seeder.seed(right_table, **values)
            key = TABLES[left_table]["key"]
            update = sql.SQL("UPDATE {} SET {} = %s WHERE {} = %s")
            names = (sql.Identifier(*_split(left_table)), sql.Identifier(left_column), sql.Identifier(key))
            self.db.execute(update.format(*names), (new[right_column], row[key]))
        if not rest:
            return new
        return last if last is not None else self.reach(new, chain, final, rest)

    def _far(self, hops: list[list[str]], chain: dict[str, Any], final: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The row a reference points at (seeded first, or the one already holding ``final``), and the chain's last row beyond it."""
        table = hops[0][2]
        values = {**self.tenant_values(table), **(final if len(hops) == 1 else {})}
        existing = self.rows(table, **values) if len(hops) == 1 else []
        new = existing[0] if existing else self.seeder.seed(table, **values)
        return new, new if len(hops) == 1 else self.reach(new, chain, final, hops[1:])

    def value_for(self, table: str, column: str) -> Any:
        """A value for ``column`` of ``table``: a seeded row's key when it references one, else a fresh value of its type."""
        referenced = TABLES[table]["foreign"].get(column)
        if referenced:
            return self.seeder.seed(referenced, **self.tenant_values(referenced))[TABLES[referenced]["key"]]
        return _value_for(TABLES[table], column)

    def caller_value(self, table: str, column: str) -> Any:
        """The caller's id as ``column`` holds it; when the column references another table, the caller's row there exists."""
        spec = TABLES[table]
        value = _typed(spec, column, self.subject if _kind(spec, column) == "uuid" else str(uuid.UUID(self.subject).int % 2_000_000_000))
        referenced = spec["foreign"].get(column)
        if referenced and column != spec["key"]:
            target = TABLES[referenced]
            if not self.rows(referenced, **{target["key"]: value}):
                self.seeder.seed(referenced, **{**self.tenant_values(referenced), target["key"]: value})
        return value

    def path_for(self, op_id: str, row: dict[str, Any] | None, parent: dict[str, Any] | None) -> dict[str, Any]:
        op = OPERATIONS[op_id]
        path: dict[str, Any] = dict(self.path_values(op_id))
        if op["parent"] and parent is not None:
            path[op["parent"]["param"]] = parent[TABLES[op["parent"]["table"]]["key"]]
        if op["key_param"] and row is not None:
            path[op["key_param"]] = row[op["address"]]
        for item in op["path_filters"]:
            chain = item["chain"]
            if chain and parent is not None and op["parent"] and chain["table"] == op["parent"]["table"]:
                path[item["param"]] = parent[chain["column"]]
        return path

    def body(self, op_id: str, n: int = 1) -> Any:
        """The design's example request, made unique where the table demands it, with real rows behind its references."""
        op = OPERATIONS[op_id]
        body = copy.deepcopy(op["example"])
        if not isinstance(body, dict):
            return body
        for prop, spec in op["unique"].items():
            if prop in body:
                body[prop] = _vary(spec, n)
        for prop, target in op["references"].items():
            if prop in body or prop in op["required"]:
                referenced = TABLES[target]
                key = self.seeder.seed(target, **self.tenant_values(target))[referenced["key"]]
                body[prop] = key if isinstance(key, int) else str(key)
        for child in op.get("children", []):
            # the parts' own references (a member's user) must name real rows too, or their foreign keys refuse the whole create
            table = TABLES[child["table"]]
            for item in body.get(child["prop"]) or []:
                for prop in [p for p in item if p in table["foreign"] and p != child["column"]]:
                    target = table["foreign"][prop]
                    key = self.seeder.seed(target, **self.tenant_values(target))[TABLES[target]["key"]]
                    item[prop] = key if isinstance(key, int) else str(key)
        for link in op.get("links", []):
            if link["prop"] in body and link["target"] and not link["name"]:
                # links by id name real rows: two of the linked table
                keys = [self.seeder.seed(link["target"], **self.tenant_values(link["target"]))[TABLES[link["target"]]["key"]] for _ in range(2)]
                body[link["prop"]] = [k if isinstance(k, int) else str(k) for k in keys]
        if op["owner"] and op["owner"] in body:
            value = self.caller_value(op["table"], op["owner"])
            body[op["owner"]] = value if isinstance(value, int) else str(value)
        return body

    def rebuild(self) -> None:
        """After rows were seeded straight into the tables: refill what the Redis adapters keep (nothing without REDIS_URL)."""
        services = self.client.app.state.services  # type: ignore[attr-defined]
        self.client.portal.call(services.backends.rebuild, services.db.engine)  # type: ignore[union-attr]

    def fan_out(self, op_id: str, rows: list[dict[str, Any]]) -> None:
        """Deliver seeded items to their readers' precomputed feeds, oldest first, as the fan-out worker does (nothing without Redis)."""
        services = self.client.app.state.services  # type: ignore[attr-defined]
        spec = next(f for f in services.backends.registry.feeds if f.operation.policy.operation_id == op_id)

        async def deliver() -> None:
            async with services.db.engine.connect() as conn:
                for row in rows:
                    await services.backends.feeds.deliver(conn, spec, row)

        self.client.portal.call(deliver)  # type: ignore[union-attr]

    def outbox(self, op_id: str) -> list[str]:
        op = OPERATIONS[op_id]
        target = sql.Identifier(*_split(op["outbox"]))
        rows = self.db.execute(sql.SQL("SELECT event_type FROM {} ORDER BY created_at, id").format(target)).fetchall()
        return [r[0] for r in rows]

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        """The rows of ``table`` (as its owner) matching ``where``."""
        condition = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in where) if where else sql.SQL("true")
        query = sql.SQL("SELECT * FROM {} WHERE {}").format(sql.Identifier(*_split(table)), condition)
        with self.db.cursor(row_factory=psycopg.rows.dict_row) as cursor:
            return list(cursor.execute(query, list(where.values())).fetchall())

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


def _split(table: str) -> tuple[str, ...]:
    return tuple(table.split(".")) if "." in table else (table,)


def _kind(table: dict[str, Any], column: str) -> str:
    return str(next(c["type"] for c in table["columns"] if c["name"] == column))


def _typed(table: dict[str, Any], column: str, value: str) -> Any:
    """A token subject as the column stores it."""
    kind = _kind(table, column)
    return uuid.UUID(value) if kind == "uuid" else int(value) if kind in {"bigint", "integer"} and value.isdigit() else value


def _value_for(table: dict[str, Any], column: str) -> Any:
    kind = _kind(table, column)
    if kind == "uuid":
        return uuid.uuid4()
    if kind in {"bigint", "integer", "smallint"}:
        return 7
    return f"path-{uuid.uuid4().hex[:8]}"


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


def expected_order(rows: list[dict[str, Any]], keys: list[list[Any]]) -> list[str]:
    """Ids in the order PostgreSQL returns them: NULLS LAST ascending, NULLS FIRST descending."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for column, descending, *_chain in keys:
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
