"""Candidate indexes for a workload: how each query reaches each table, and the indexes that would serve it.

Each SELECT (UPDATE and DELETE too, through their WHERE) is parsed by pglast. For every
table it touches we collect its equality columns (``=``, ``IN``, join keys), one range
column (``<``, ``>``, ``BETWEEN``), its ORDER BY and GROUP BY columns, indexed expressions
(``lower(email) = $1``), constant filters that suit a partial index (``status = 'open'``),
and the columns it reads. The candidates follow the equality-sort-range order (equality
columns first, then the sort, then the range), and come in a plain, a partial and a covering
(INCLUDE) variant. Which of them are worth having is for the costing to say.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from pglast import parser as pg_parser
from pglast.parser import ParseError

from backend_architect.rules.sql import ident, idents, qualified_text

#: Columns a covering index may carry in INCLUDE; past this the index is a copy of the table.
MAX_INCLUDE = 3


@dataclass
class TableAccess:
    """How one query reaches one table."""

    table: str
    equality: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    constants: list[tuple[str, str]] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Candidate:
    """A possible index, as DDL, and the tables and queries it was derived for."""

    table: str
    columns: tuple[str, ...]
    where: str | None = None
    include: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """A name that tells the variants apart: ``ix_orders_created_at``, ``..._where_status_open``, ``..._covering``.

        >>> Candidate("public.orders", ("created_at",), where="status = 'open'").name
        'ix_orders_created_at_where_status_open'
        """
        parts = [self.table.rsplit(".", 1)[-1], *(_slug(c) for c in self.columns)]
        if self.where:
            parts += ["where", _slug(self.where)]
        if self.include:
            parts.append("covering")
        return ("ix_" + "_".join(parts))[:63].rstrip("_")

    def ddl(self, name: str | None = None) -> str:
        """The CREATE INDEX statement, every name quoted as it needs (expressions and predicates were quoted when built).

        >>> Candidate("public.Orders", ("user", "created_at DESC"), include=("Total",)).ddl()
        'CREATE INDEX "ix_Orders_user_created_at_covering" ON public."Orders" ("user", created_at DESC) INCLUDE ("Total")'
        """
        keys = ", ".join(_key_text(key) for key in self.columns)
        label = ident(name or self.name)
        include = f" INCLUDE ({idents(self.include)})" if self.include else ""
        where = f" WHERE {self.where}" if self.where else ""
        return f"CREATE INDEX {label} ON {qualified_text(self.table)} ({keys}){include}{where}"


def _key_text(key: str) -> str:
    """An index key as DDL: an expression (built quoted) as it is, a column quoted, with its DESC."""
    if key.startswith("("):
        return key
    column, descending = (key.removesuffix(" DESC"), True) if key.endswith(" DESC") else (key, False)
    return ident(column) + (" DESC" if descending else "")


def _slug(text: str) -> str:
    import re

    return re.sub(r"_+", "_", "".join(ch if ch.isalnum() else "_" for ch in text.replace(" DESC", "").lower())).strip("_")


@dataclass(frozen=True)
class Query:
    """One statement of the workload, with how often it runs (1 when unknown)."""

    text: str
    calls: float = 1.0


def parse_workload(text: str) -> list[Query]:
    """The statements of a workload file, split by PostgreSQL's scanner; ``-- calls: N`` before one weights it."""
    queries = []
    calls = 1.0
    for piece in pg_parser.split(text, with_parser=False, only_slices=True):
        statement = text[piece.start : piece.stop].strip()
        weight = calls
        for line in statement.splitlines():
            if line.strip().lower().startswith("-- calls:"):
                weight = float(line.split(":", 1)[1].strip().replace(",", ""))
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            queries.append(Query(body, weight))
    return queries


def accesses(query: str, columns_of: dict[str, list[str]]) -> list[TableAccess]:
    """How ``query`` reaches each table; ``columns_of`` maps qualified table names to their columns."""
    try:
        parsed = orjson.loads(pg_parser.parse_sql_json(query))
    except ParseError:
        return []
    found: dict[str, TableAccess] = {}
    for item in parsed.get("stmts", []):
        node = item.get("stmt", {})
        for kind in ("SelectStmt", "UpdateStmt", "DeleteStmt"):
            if kind in node:
                _statement(node[kind], columns_of, found)
    return list(found.values())


def _statement(node: dict[str, Any], columns_of: dict[str, list[str]], found: dict[str, TableAccess]) -> None:
    aliases: dict[str, str] = {}
    relations = [node["relation"]] if "relation" in node else []
    for item in node.get("fromClause") or []:
        relations += list(_relations(item))
    for relation in relations:
        table = _qualified(relation, columns_of)
        if table is not None:
            aliases[relation.get("alias", {}).get("aliasname") or relation["relname"]] = table
            found.setdefault(table, TableAccess(table))
    resolve = _Resolver(aliases, columns_of)
    for item in node.get("fromClause") or []:
        for quals in _join_quals(item):
            _predicate(quals, resolve, found)
    if node.get("whereClause"):
        _predicate(node["whereClause"], resolve, found)
    for sort in node.get("sortClause") or []:
        spot = resolve.column(sort.get("SortBy", {}).get("node"))
        if spot is not None:
            found[spot[0]].order.append((spot[1], sort["SortBy"].get("sortby_dir") == "SORTBY_DESC"))
    for group in node.get("groupClause") or []:
        spot = resolve.column(group)
        if spot is not None:
            found[spot[0]].group.append(spot[1])
    for target in node.get("targetList") or []:
        spot = resolve.column(target.get("ResTarget", {}).get("val"))
        if spot is not None and spot[1] not in found[spot[0]].reads:
            found[spot[0]].reads.append(spot[1])


def _relations(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "RangeVar" in item:
        yield item["RangeVar"]
    elif "JoinExpr" in item:
        yield from _relations(item["JoinExpr"]["larg"])
        yield from _relations(item["JoinExpr"]["rarg"])


def _join_quals(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "JoinExpr" in item:
        join = item["JoinExpr"]
        if join.get("quals"):
            yield join["quals"]
        yield from _join_quals(join["larg"])
        yield from _join_quals(join["rarg"])


def _qualified(relation: dict[str, Any], columns_of: dict[str, list[str]]) -> str | None:
    name = relation.get("relname", "")
    schema = relation.get("schemaname")
    if schema:
        return f"{schema}.{name}" if f"{schema}.{name}" in columns_of else None
    return next((t for t in columns_of if t.rsplit(".", 1)[-1] == name), None)


@dataclass
class _Resolver:
    aliases: dict[str, str]
    columns_of: dict[str, list[str]]

    def column(self, node: Any) -> tuple[str, str] | None:
        """(table, column) of a column reference, by its qualifier or by the one table that has the column."""
        if not isinstance(node, dict) or "ColumnRef" not in node:
            return None
        fields = [f["String"]["sval"] for f in node["ColumnRef"].get("fields", []) if "String" in f]
        if not fields:
            return None
        if len(fields) >= 2:
            table = self.aliases.get(fields[-2])
            return (table, fields[-1]) if table else None
        owners = [t for t in self.aliases.values() if fields[0] in self.columns_of.get(t, [])]
        return (owners[0], fields[0]) if len(owners) == 1 else None


def _predicate(node: dict[str, Any], resolve: _Resolver, found: dict[str, TableAccess]) -> None:
    if "BoolExpr" in node:
        if node["BoolExpr"].get("boolop") == "AND_EXPR":
            for arg in node["BoolExpr"].get("args", []):
                _predicate(arg, resolve, found)
        return
    if "NullTest" in node:
        spot = resolve.column(node["NullTest"].get("arg"))
        if spot is not None:
            null = "IS NULL" if node["NullTest"].get("nulltesttype") == "IS_NULL" else "IS NOT NULL"
            found[spot[0]].constants.append((spot[1], f"{ident(spot[1])} {null}"))
        return
    expression = node.get("A_Expr")
    if not expression:
        return
    operator = "".join(n["String"]["sval"] for n in expression.get("name", []) if "String" in n)
    kind = expression.get("kind")
    left, right = expression.get("lexpr"), expression.get("rexpr")
    sides = [(left, right), (right, left)]
    joined = resolve.column(left) is not None and resolve.column(right) is not None
    for this, other in sides:
        spot = resolve.column(this)
        if spot is None:
            if operator == "=" and isinstance(this, dict) and "FuncCall" in this and _constant(other):
                _expression(this, resolve, found)
            continue
        table, column = spot
        access = found[table]
        if kind == "AEXPR_IN" or (operator == "=" and kind == "AEXPR_OP"):
            if column not in access.equality:
                access.equality.append(column)
            literal = _literal(other)
            if literal is not None and kind != "AEXPR_IN":
                access.constants.append((column, f"{ident(column)} = {literal}"))
        elif (operator in {"<", ">", "<=", ">="} or kind == "AEXPR_BETWEEN") and column not in access.ranges:
            access.ranges.append(column)
        if not joined:
            break  # a column compared with a value; a join compares two columns, and both sides are accesses


def _expression(call: dict[str, Any], resolve: _Resolver, found: dict[str, TableAccess]) -> None:
    function = call["FuncCall"]
    names = [n["String"]["sval"] for n in function.get("funcname", []) if "String" in n]
    arguments = function.get("args") or []
    if len(arguments) == 1:
        spot = resolve.column(arguments[0])
        if spot is not None and names:
            found[spot[0]].expressions.append(f"{ident(names[-1])}({ident(spot[1])})")


def _constant(node: Any) -> bool:
    return isinstance(node, dict) and ("A_Const" in node or "ParamRef" in node or "TypeCast" in node)


def _literal(node: Any) -> str | None:
    """A constant worth a partial index: a string or boolean literal (not a parameter or a number)."""
    if not isinstance(node, dict) or "A_Const" not in node:
        return None
    constant = node["A_Const"]
    if "sval" in constant:
        return "'" + str(constant["sval"]["sval"]).replace("'", "''") + "'"
    if "boolval" in constant:
        return "true" if constant["boolval"].get("boolval") else "false"
    return None


def candidates_for(access: TableAccess) -> list[Candidate]:
    """Indexes that could serve one table access, most specific first."""
    found: list[Candidate] = []
    order = [f"{c} DESC" if desc else c for c, desc in access.order if c not in access.equality]
    keys: list[str] = []
    for key in [*access.equality, *order, *[r for r in access.ranges if r not in access.equality][:1]]:
        if key.removesuffix(" DESC") not in {k.removesuffix(" DESC") for k in keys}:
            keys.append(key)
    if keys:
        found.append(Candidate(access.table, tuple(keys)))
        covered = [c for c in access.reads if c not in keys][: MAX_INCLUDE + 1]
        if 0 < len(covered) <= MAX_INCLUDE:
            found.append(Candidate(access.table, tuple(keys), include=tuple(covered)))
    for column, predicate in access.constants:
        rest = [k for k in keys if k != column]
        if rest:
            found.append(Candidate(access.table, tuple(rest), where=predicate))
    for column in access.equality + access.ranges + access.group:
        found.append(Candidate(access.table, (column,)))
    for expression in access.expressions:
        found.append(Candidate(access.table, (f"({expression})",) if "(" in expression else (expression,)))
    unique: list[Candidate] = []
    for candidate in found:
        if candidate not in unique:
            unique.append(candidate)
    return unique
