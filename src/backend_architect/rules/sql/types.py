"""Column types PostgreSQL's own documentation and wiki advise against."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import design_tables, ident, location, qualified, where

#: A rate or share of an amount (tax_rate, discount_percent) is a ratio, not money: a float may be the right type.
_RATIO_NAME = re.compile(r"_(rate|ratio|percent|percentage|pct|factor|multiplier|share)$")
_MONEY_NAME = re.compile(r"(^|_)(price|amount|cost|total|balance|fee|tax|salary|payment|charge|credit|debit|subtotal|discount|revenue)(_|$)")
_FLOATS = frozenset({"real", "double precision"})


@rule(
    code="SQL008",
    name="money-as-float",
    severity=Severity.WARNING,
    title="Money is stored as a float or the money type",
    fix="Store amounts as numeric(precision, scale) (or integer minor units) with a currency column.",
)
def money_as_float(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns of type `money`, and columns named like amounts (price, amount, total,
    balance, fee...) of type `real` or `double precision`.

    ## Why is this bad?
    Floats cannot hold 0.10 exactly: sums drift by cents, and equality checks fail. The
    `money` type rounds to the locale's currency and changes meaning with `lc_monetary`.

    ## Example
    CREATE TABLE invoices (id bigint PRIMARY KEY, total double precision);

    Use instead:
    CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(12,2), currency char(3));

    ## References
    PostgreSQL wiki, "Don't Do This: Don't use money".
    """
    for store, table in design_tables(arch):
        for column in table.columns:
            kind = (column.sql_type or "").removesuffix("[]")
            if kind == "money" or (kind in _FLOATS and _MONEY_NAME.search(column.name.lower()) and not _RATIO_NAME.search(column.name.lower())):
                fix = f"ALTER TABLE {qualified(store, table)} ALTER COLUMN {ident(column.name)} TYPE numeric(12,2);"
                yield self.finding(where(store, table), f"{column.name} holds money as {kind}", location(column.source or table.source), fix=fix)


@rule(
    code="SQL009",
    name="timestamp-without-time-zone",
    severity=Severity.WARNING,
    title="Timestamp without time zone",
    fix="Use timestamptz: it stores an instant, and converts to the session's zone on the way out.",
)
def timestamp_without_time_zone(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns of type `timestamp` (without time zone).

    ## Why is this bad?
    The value is a wall-clock reading with no zone: servers in two zones, or one DST change,
    and the same instant is stored as two values. Arithmetic across DST is wrong by an hour.

    ## Example
    CREATE TABLE logins (id bigint PRIMARY KEY, at timestamp);

    Use instead:
    CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz);

    ## References
    PostgreSQL wiki, "Don't Do This: Don't use timestamp (without time zone)".
    """
    for store, table in design_tables(arch):
        for column in table.columns:
            if (column.sql_type or "").startswith("timestamp") and "without time zone" in (column.sql_type or ""):
                fix = f"ALTER TABLE {qualified(store, table)} ALTER COLUMN {ident(column.name)} TYPE timestamptz USING {ident(column.name)} AT TIME ZONE 'UTC';"
                yield self.finding(where(store, table), f"{column.name} is {column.sql_type}", location(column.source or table.source), fix=fix)


@rule(
    code="SQL010",
    name="json-instead-of-jsonb",
    severity=Severity.INFO,
    title="Column uses json instead of jsonb",
    fix="Use jsonb unless the exact text (key order, duplicates, whitespace) must be kept.",
)
def json_instead_of_jsonb(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns of type `json`.

    ## Why is this bad?
    `json` is re-parsed on every access, cannot be indexed with GIN, and has no equality
    operator (so no DISTINCT or GROUP BY); `jsonb` is parsed once and indexable.

    ## Example
    CREATE TABLE events (id bigint PRIMARY KEY, payload json);

    Use instead:
    CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb);
    """
    for store, table in design_tables(arch):
        if store.engine != "postgresql":
            continue  # jsonb is PostgreSQL's; SQLite and MySQL store JSON one way
        for column in table.columns:
            if (column.sql_type or "").removesuffix("[]") == "json":
                fix = f"ALTER TABLE {qualified(store, table)} ALTER COLUMN {ident(column.name)} TYPE jsonb USING {ident(column.name)}::jsonb;"
                yield self.finding(where(store, table), f"{column.name} is json", location(column.source or table.source), fix=fix)


@rule(
    code="SQL011",
    name="char-column",
    severity=Severity.INFO,
    title="Column uses char(n)",
    fix="Use text (or varchar(n)) with a CHECK on length if the length matters.",
)
def char_column(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns of type `char(n)` / `character(n)` longer than three characters (fixed
    codes such as ISO 4217 currencies or ISO 3166 countries are fine).

    ## Why is this bad?
    Values are padded with spaces to n, which comparisons partly ignore and applications do
    not: 'ab' and 'ab  ' compare equal in SQL and differ in the client. It is no faster
    than text in PostgreSQL.

    ## Example
    CREATE TABLE users (id bigint PRIMARY KEY, code char(8));

    Use instead:
    CREATE TABLE users (id bigint PRIMARY KEY, code text CHECK (length(code) = 8));

    ## References
    PostgreSQL wiki, "Don't Do This: Don't use char(n)".
    """
    for store, table in design_tables(arch):
        for column in table.columns:
            spelled = column.sql_type or ""
            if spelled.startswith("character(") and spelled not in {"character(1)", "character(2)", "character(3)"}:
                yield self.finding(where(store, table), f"{column.name} is {spelled}", location(column.source or table.source))
