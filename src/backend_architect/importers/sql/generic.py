"""SQLite and MySQL DDL → the schema builder, through sqlglot.

Types are kept as the file declares them, lowercased (SQLite's types are declarations, not
PostgreSQL types), so the PostgreSQL-specific type rules stay quiet while the design rules
(keys, foreign key indexes, redundant indexes, shape) judge these schemas as they judge
PostgreSQL's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from backend_architect.importers.sql.builder import SchemaBuilder, TableDraft
from backend_architect.importers.sql.defaults import catalog_default_text
from backend_architect.importers.sql.postgres import SourceText
from backend_architect.importers.sql.types import logical_type
from backend_architect.ir.model import Column, ForeignKey, Index, IndexColumn, ParseProblem, SourceSpan, UniqueConstraint

Dialect = str


def apply_text(builder: SchemaBuilder, source: SourceText, dialect: Dialect) -> list[ParseProblem]:
    """Apply every CREATE TABLE and CREATE INDEX of a SQLite or MySQL file; statements sqlglot refuses become problems."""
    text = source.raw.decode("utf-8", "replace")
    problems = []
    pieces, unclosed = _statements(text, dialect)
    for start, piece in pieces:
        first = len(text[:start].encode())
        span = source.span(first, first + len(piece.rstrip().encode()))
        try:
            with _quiet_sqlglot():
                parsed = sqlglot.parse_one(piece, read=dialect)
            if isinstance(parsed, exp.Create):
                _create(builder, parsed, span, dialect)
        except ParseError as exc:
            where, message = _error_of(exc, piece)
            problems.append(ParseProblem(source=source.span(first + len(piece[:where].encode())), message=f"cannot parse statement: {message}"))
        except TokenError:
            at = unclosed if unclosed is not None and unclosed >= start else start
            problems.append(ParseProblem(source=source.span(len(text[:at].encode())), message=_UNCLOSED))
        except RecursionError:
            problems.append(ParseProblem(source=span, message="cannot parse statement: its expressions nest too deep to read"))
    return problems


_UNCLOSED = "cannot parse statement: a quote, quoted name or comment opened here is never closed"
_TOKEN = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: \d+, col: \d+, start: \d+, end: \d+, comments: \[.*?\]>")


def _error_of(exc: ParseError, piece: str) -> tuple[int, str]:
    """Where in the statement sqlglot stopped (a character offset) and what it expected, without its token dumps.

    >>> try:
    ...     sqlglot.parse_one("CREATE TABLE (;", read="sqlite")
    ... except ParseError as exc:
    ...     _error_of(exc, "CREATE TABLE (;")
    (13, "Expected table name but got '('")
    """
    first = exc.errors[0] if exc.errors else {}
    description = _TOKEN.sub(lambda m: repr(m.group(1)), str(first.get("description") or exc).splitlines()[0])
    line, col = int(first.get("line") or 1), int(first.get("col") or 1)
    lines = piece.split("\n")
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(col - 1, 0)
    return min(offset, len(piece)), description


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning for every statement it keeps as an opaque command (functions, triggers); we read past those."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _statements(text: str, dialect: Dialect = "sqlite") -> tuple[list[tuple[int, str]], int | None]:
    r"""Statements (with their start offsets) split on semicolons outside quotes and comments, as sqlglot's tokenizer sees them.

    When a quote or comment is never closed, the tokenizer stops there; the statements before
    it are still returned, the rest of the file is one last statement, and the offset where
    tokens stopped comes second, so the problem is reported where it starts.

    >>> _statements("CREATE TABLE a (x int);\nCREATE TABLE b (s text DEFAULT 'open);")
    ([(0, 'CREATE TABLE a (x int);'), (24, "CREATE TABLE b (s text DEFAULT 'open);")], 55)
    """
    from sqlglot.tokenizer_core import TokenType

    tokenizer = sqlglot.Dialect.get_or_raise(dialect).tokenizer_class()  # MySQL quotes names in backticks, SQLite also in brackets
    unclosed = None
    try:
        tokens = tokenizer.tokenize(text)
    except TokenError:
        # the pure-Python tokenizer keeps what it read before the unclosed token
        tokens = list(tokenizer.tokens)
        end = tokens[-1].end + 1 if tokens else 0
        unclosed = end + len(text[end:]) - len(text[end:].lstrip())
    pieces, start, spoken = [], 0, 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            pieces.append((start, text[start : token.end + 1], spoken))
            start, spoken = token.end + 1, 0
        else:
            spoken += 1
    pieces.append((start, text[start:], spoken if unclosed is None else 1))
    found = []
    for offset, piece, said in pieces:
        # a piece of comments alone (a note after the last statement) says nothing to parse
        if said and piece.strip(" ;\n\t\r"):
            lead = len(piece) - len(piece.lstrip())
            found.append((offset + lead, piece.strip()))
    return found, unclosed


def _create(builder: SchemaBuilder, node: exp.Create, span: SourceSpan, dialect: Dialect) -> None:
    kind = str(node.args.get("kind", "")).upper()
    if kind == "TABLE" and isinstance(node.this, exp.Schema):
        table = node.this.this
        draft = builder.create(table.db or None, table.name, span)
        for element in node.this.expressions:
            _element(builder, draft, element, span)
    elif kind == "INDEX" and isinstance(node.this, exp.Index):
        target = node.this.args.get("table")
        owner = builder.table(target.db or None, target.name) if target is not None else None
        made = _index(node, dialect, span)
        if owner is not None and made is not None:
            builder.add_index(owner, made)


def _element(builder: SchemaBuilder, draft: TableDraft, element: Any, span: SourceSpan) -> None:
    if isinstance(element, exp.ColumnDef):
        name = element.name
        declared = element.args.get("kind")
        sql_type = declared.sql().lower() if declared is not None else ""
        nullable, default, identity = True, None, False
        for constraint in element.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                draft.primary_key, nullable = [name], False
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = True
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = catalog_default_text(kind.this.sql(dialect="postgres")) if kind.this is not None else None
            elif isinstance(kind, exp.UniqueColumnConstraint):
                draft.uniques.append(UniqueConstraint(name=f"{draft.name}_{name}_key", columns=[name], source=span))
            elif isinstance(kind, exp.Reference):
                draft.foreign_keys.append(_reference(draft, kind, [name], None, span))
        logical, length = logical_type(sql_type)
        draft.columns[name] = Column(
            name=name, type=logical, length=length, nullable=nullable, default=default, identity=identity, sql_type=sql_type, source=span
        )
    elif isinstance(element, exp.PrimaryKey):
        draft.primary_key = [e.name for e in element.expressions]
    elif isinstance(element, exp.Constraint):
        for inner in element.expressions:
            _element(builder, draft, inner, span)
            if isinstance(inner, exp.ForeignKey) and draft.foreign_keys:
                draft.foreign_keys[-1] = draft.foreign_keys[-1].model_copy(update={"name": element.name, "relation": element.name})
    elif isinstance(element, exp.ForeignKey):
        draft.foreign_keys.append(_reference(draft, element.args["reference"], [e.name for e in element.expressions], None, span))
    elif isinstance(element, exp.UniqueColumnConstraint):
        columns = [e.name for e in (element.this.expressions if isinstance(element.this, exp.Schema) else [])]
        draft.uniques.append(UniqueConstraint(name=f"{draft.name}_{'_'.join(columns)}_key", columns=columns, source=span))
    elif isinstance(element, exp.IndexColumnConstraint):
        columns = [IndexColumn(name=c.name) for c in element.expressions]
        builder.add_index(draft, Index(name=element.name or f"{draft.name}_idx", columns=columns, source=span))


def _reference(draft: TableDraft, reference: exp.Reference, columns: list[str], name: str | None, span: SourceSpan) -> ForeignKey:
    target = reference.this
    table = target.this if isinstance(target, exp.Schema) else target
    ref_columns = [e.name for e in target.expressions] if isinstance(target, exp.Schema) else []
    options = " ".join(str(o) for o in reference.args.get("options") or []).lower()
    on_delete: Any = next((a for a in ("cascade", "restrict", "set null", "no action", "set default") if f"on delete {a}" in options), "no action")
    label = name or f"{draft.name}_{'_'.join(columns)}_fkey"
    return ForeignKey(name=label, columns=columns, ref_table=table.name, ref_columns=ref_columns, on_delete=on_delete, relation=label, source=span)


def _index(node: exp.Create, dialect: Dialect, span: SourceSpan | None) -> Index | None:
    index = node.this
    params = index.args.get("params")
    if params is None:
        return None
    columns = []
    for ordered in params.args.get("columns") or []:
        inner = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        expression = None if isinstance(inner, exp.Column) else inner.sql(dialect=dialect)
        columns.append(
            IndexColumn(name=inner.name if isinstance(inner, exp.Column) else str(expression), descending=bool(ordered.args.get("desc")), expression=expression)
        )
    where = params.args.get("where")
    return Index(
        name=index.name,
        columns=columns,
        unique=bool(node.args.get("unique")),
        where=where.this.sql(dialect=dialect) if where is not None else None,
        source=span,
    )


def index_from_sql(sql: str, dialect: Dialect) -> Index | None:
    """An index from its CREATE INDEX text (SQLite keeps it in sqlite_master)."""
    try:
        with _quiet_sqlglot():
            node = sqlglot.parse_one(sql, read=dialect)
    except ParseError:
        return None
    return _index(node, dialect, None) if isinstance(node, exp.Create) and isinstance(node.this, exp.Index) else None
