"""Migration safety: each migration against the schema before it (squawk's territory, with the prior schema known).

A step on a table the same migration created is never reported: nobody reads or writes a
table that does not exist yet, so its locks cost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from backend_architect.ir.column_types import rewrites_table
from backend_architect.ir.model import Architecture, Migration, MigrationStep
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import ident, location, qualified_text, reprinted

#: Statements that take a lock on an existing table, which queues every later query behind it while it waits.
LOCKING = frozenset(
    {
        "create_index",
        "drop_index",
        "reindex",
        "add_constraint",
        "validate_constraint",
        "add_column",
        "alter_column_type",
        "set_not_null",
        "drop_not_null",
        "drop_column",
        "drop_table",
        "rename_table",
        "rename_column",
        "drop_constraint",
        "detach_partition",
        "vacuum_full",
        "cluster",
        "truncate",
    }
)
#: The first version that adds a column with a non-volatile default without rewriting the table.
FAST_DEFAULTS = 11
#: The first version whose SET NOT NULL uses a validated CHECK (col IS NOT NULL) instead of scanning.
NOT_NULL_FROM_CHECK = 12
#: The first version with REINDEX CONCURRENTLY.
REINDEX_CONCURRENTLY = 12


#: Types a column is usually widened to, which PostgreSQL changes without a rewrite from a narrower varchar or numeric.
_WIDENING_TARGET = re.compile(r"^(text|character varying(\(\d+\))?|numeric(\(\d+(,\s*\d+)?\))?)$")


def _steps(arch: Architecture, *actions: str) -> Iterator[tuple[Migration, MigrationStep]]:
    for migration in arch.migrations:
        for step in migration.steps:
            if step.action in actions and step.existed_before:
                yield migration, step


def _not_valid(node: Any) -> None:
    """ADD CONSTRAINT ... NOT VALID, on the parse tree of an ALTER TABLE."""
    for command in getattr(node, "cmds", None) or ():
        if getattr(command, "def_", None) is not None and hasattr(command.def_, "skip_validation"):
            command.def_.skip_validation = True


def _where(migration: Migration, step: MigrationStep) -> str:
    return f"{migration.file}: {step.table or step.detail}"


def said(step: MigrationStep, message: str) -> str:
    """A finding's message, saying when the table was assumed to exist (a lone migration's tables are not in the files)."""
    return f"{message} ({step.table} is not created by the files reviewed: judged as an existing table with rows)" if step.assumed else message


@rule(
    code="SQL101",
    name="index-without-concurrently",
    severity=Severity.WARNING,
    title="Index built without CONCURRENTLY on an existing table",
    fix="CREATE INDEX CONCURRENTLY (outside a transaction), and DROP INDEX CONCURRENTLY.",
)
def index_without_concurrently(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds CREATE INDEX, DROP INDEX and REINDEX without CONCURRENTLY on tables that existed
    before the migration (an index dropped with a table created or dropped in the same
    migration is left alone). REINDEX is left alone before PostgreSQL 12 (`--pg-version`),
    which has no REINDEX CONCURRENTLY.

    ## Why is this bad?
    A plain CREATE INDEX holds a SHARE lock for the whole build: writes to the table wait
    (minutes on a 100M-row table), and so does every query queued behind them.

    ## Example
    CREATE INDEX ix_orders_customer ON orders (customer_id);

    Use instead:
    CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);

    ## References
    PostgreSQL documentation, "Building Indexes Concurrently"; squawk's require-concurrent-index-creation.
    """
    old_server = arch.postgres_version is not None and arch.postgres_version < REINDEX_CONCURRENTLY
    for migration, step in _steps(arch, "create_index", "drop_index", "reindex"):
        if not step.concurrently and not (step.action == "reindex" and old_server):
            verb = {"create_index": "CREATE INDEX", "drop_index": "DROP INDEX", "reindex": "REINDEX"}[step.action]
            blocked = "reads and writes" if step.action == "reindex" else "writes"
            message = said(step, f"{verb} {step.detail} without CONCURRENTLY blocks {blocked}")
            yield self.finding(_where(migration, step), message, location(step.source), fix=_concurrent(step))


def _concurrent(step: MigrationStep) -> str | None:
    """The step's statement printed again from its parse tree (names quoted, comments gone) with CONCURRENTLY."""
    if step.action != "reindex":
        again = reprinted(step.statement, lambda node: setattr(node, "concurrent", True)) if step.statement else None
        return f"{again};  -- outside a transaction" if again else None
    # REINDEX keeps CONCURRENTLY among its options from PostgreSQL 14; written after the object kind, 12 and later read it
    again = reprinted(step.statement, lambda node: None) if step.statement else None
    written = re.sub(r"^(REINDEX\s+(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE|SYSTEM))\b", r"\1 CONCURRENTLY", again) if again else None
    return f"{written};  -- PostgreSQL 12+, outside a transaction" if written else None


@rule(
    code="SQL102",
    name="constraint-without-not-valid",
    severity=Severity.WARNING,
    title="Constraint added and validated in one step on an existing table",
    fix="ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later transaction.",
)
def constraint_without_not_valid(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds foreign key and check constraints added to existing tables without NOT VALID, and
    foreign keys added with a new column (`ADD COLUMN ... REFERENCES`).

    ## Why is this bad?
    Validation scans the whole table under an ACCESS EXCLUSIVE (check) or SHARE ROW
    EXCLUSIVE (foreign key, on both tables) lock: reads or writes stop for the scan.
    NOT VALID adds the constraint instantly; VALIDATE later takes a lighter lock.

    ## Example
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);

    Use instead:
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;

    ## References
    PostgreSQL documentation, ALTER TABLE (NOT VALID); squawk's adding-foreign-key-constraint.
    """
    for migration, step in _steps(arch, "add_constraint", "add_column"):
        if step.action == "add_column" and step.references:
            table, column = qualified_text(step.table or ""), ident(step.detail)
            added = f"ALTER TABLE {table} ADD COLUMN {column} ...; ALTER TABLE {table} ADD CONSTRAINT ... FOREIGN KEY ({column}) "
            added += f"REFERENCES {qualified_text(step.references)} NOT VALID;"
            message = said(step, f"new column {step.detail} adds a foreign key to {step.references}, locking both tables while it is checked")
            yield self.finding(_where(migration, step), message, location(step.source), fix=added)
        elif step.action == "add_constraint" and step.constraint_kind in {"foreign key", "check"} and not step.not_valid:
            again = reprinted(step.statement, _not_valid) if step.statement else None
            fix = f"{again}; ALTER TABLE {qualified_text(step.table or '')} VALIDATE CONSTRAINT {ident(step.detail)};" if again else None
            message = said(step, f"{step.constraint_kind} {step.detail} is validated while locking {step.table}")
            yield self.finding(_where(migration, step), message, location(step.source), fix=fix)


@rule(
    code="SQL103",
    name="column-type-change",
    severity=Severity.WARNING,
    title="Column type changed on an existing table",
    fix="Add a new column, backfill it in batches, switch reads and writes, then drop the old one.",
)
def column_type_change(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds ALTER COLUMN ... TYPE on tables that existed before the migration, unless the
    change needs no rewrite: `varchar(n)` widened or made `text`, `numeric(p,s)` given more
    digits before the point (the same judgement the schema diff makes). In a lone migration,
    where the type before is unknown, a change to `text`, `varchar` or `numeric` is taken for
    such a widening.

    ## Why is this bad?
    Most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock: no
    reads, no writes until done. Clients compiled against the old type break too.

    ## Example
    ALTER TABLE orders ALTER COLUMN customer_id TYPE integer;

    Use instead:
    ALTER TABLE orders ADD COLUMN total_v2 numeric(14,2);
    """
    for migration, step in _steps(arch, "alter_column_type"):
        new_type = step.detail.split(" to ", 1)[-1]
        if step.old_type is not None and not rewrites_table(step.old_type, new_type):
            continue  # varchar widened, varchar to text, numeric given more digits: the catalog changes, the rows do not
        if step.old_type is None and _WIDENING_TARGET.match(new_type):
            continue  # the type before is not in the files reviewed; to text or varchar or numeric, it is most often a widening
        known = "" if step.old_type is not None else " (its type before is not in the files reviewed)"
        message = said(step, f"changing {step.detail} rewrites {step.table} under an exclusive lock{known}")
        yield self.finding(_where(migration, step), message, location(step.source))


@rule(
    code="SQL104",
    name="not-null-without-default",
    severity=Severity.WARNING,
    title="NOT NULL added to an existing table unsafely",
    fix="Add a CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ uses the check); give new NOT NULL columns a default.",
)
def not_null_without_default(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds ADD COLUMN ... NOT NULL without a DEFAULT (a generated or identity column has one),
    and SET NOT NULL, on existing tables; SET NOT NULL after a validated
    `CHECK (col IS NOT NULL)` is the safe sequence this rule recommends, and passes.

    ## Why is this bad?
    Adding a NOT NULL column without a default fails outright on a table with rows; SET NOT
    NULL scans the whole table under an ACCESS EXCLUSIVE lock.

    ## Example
    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

    Use instead:
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
    """
    for migration, step in _steps(arch, "add_column", "set_not_null"):
        if step.action == "set_not_null" and step.scan_skipped:
            continue  # a validated CHECK (col IS NOT NULL) proves it: PostgreSQL 12+ skips the scan
        if step.action == "set_not_null":
            check = ident(f"{step.table.rsplit('.', 1)[-1] if step.table else 't'}_{step.detail}_not_null"[:63])
            table, column = qualified_text(step.table or ""), ident(step.detail)
            fix = (
                f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID; "
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}; ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL; "
                f"ALTER TABLE {table} DROP CONSTRAINT {check};"
            )
            message = said(step, f"SET NOT NULL on {step.detail} scans {step.table} under an exclusive lock")
            if arch.postgres_version is not None and arch.postgres_version < NOT_NULL_FROM_CHECK:
                fix = (
                    f"PostgreSQL {arch.postgres_version} scans the table for SET NOT NULL even after a validated CHECK: "
                    "run it in a quiet window, or keep the CHECK ... NOT VALID + VALIDATE instead of NOT NULL"
                )
            yield self.finding(_where(migration, step), message, location(step.source), fix=fix)
        elif step.not_null and not step.has_default:
            yield self.finding(_where(migration, step), said(step, f"new column {step.detail} is NOT NULL without a default"), location(step.source))


@rule(
    code="SQL105",
    name="destructive-change",
    severity=Severity.WARNING,
    title="Migration drops a table or column other code may still use",
    fix="Stop using it in a released version first (expand/contract), then drop it in a later migration.",
)
def destructive_change(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds DROP TABLE and DROP COLUMN on objects that existed before the migration.

    ## Why is this bad?
    During a rolling deploy the previous version still runs and still reads the column: it
    fails until the deploy ends, and a rollback cannot bring the data back.

    ## Example
    ALTER TABLE users DROP COLUMN nickname;

    Use instead:
    ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;
    """
    for migration, step in _steps(arch, "drop_table", "drop_column"):
        what = f"table {step.table}" if step.action == "drop_table" else f"column {step.table}.{step.detail}"
        yield self.finding(_where(migration, step), said(step, f"drops {what}"), location(step.source))


@rule(
    code="SQL106",
    name="rename",
    severity=Severity.WARNING,
    title="Migration renames a table or column",
    fix="Add the new name (a new column or a view), migrate readers and writers, then remove the old name.",
)
def rename(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds RENAME of tables and columns that existed before the migration.

    ## Why is this bad?
    Every running client still uses the old name: between the migration and the end of the
    deploy, all their queries fail.

    ## Example
    ALTER TABLE users RENAME COLUMN name TO full_name;

    Use instead:
    ALTER TABLE users ADD COLUMN full_name text;
    """
    for migration, step in _steps(arch, "rename_table", "rename_column"):
        yield self.finding(_where(migration, step), said(step, f"renames {step.table} {step.detail}"), location(step.source))


@rule(
    code="SQL107",
    name="missing-lock-timeout",
    severity=Severity.INFO,
    title="Locking migration without lock_timeout and statement_timeout",
    fix="Begin the migration with SET lock_timeout = '2s' and SET statement_timeout = '5min' (and retry on timeout).",
)
def missing_lock_timeout(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds migrations whose first statement that locks an existing table (ALTER TABLE, CREATE
    or DROP INDEX, REINDEX, DETACH PARTITION, CLUSTER, VACUUM FULL, TRUNCATE...) is not
    preceded by both `SET lock_timeout` and `SET statement_timeout`; the message says which
    is missing.

    ## Why is this bad?
    Waiting for its lock behind one long query, the migration queues every later query on the
    table behind itself: a 30-second report becomes a 30-second outage. Holding it, a
    statement that runs longer than expected (a rewrite, a scan) keeps everything queued for
    as long as it runs.

    ## Example
    ALTER TABLE orders ADD COLUMN note text;

    Use instead:
    SET lock_timeout = '2s';
    SET statement_timeout = '5min';
    ALTER TABLE orders ADD COLUMN note text;

    ## References
    squawk's require-timeout-settings (require-lock-timeout, require-statement-timeout); "Zero-downtime Postgres migrations" (GoCardless).
    """
    for migration in arch.migrations:
        timed: set[str] = set()
        for step in migration.steps:
            if step.action == "set_timeout" and step.timeout:
                timed.add(step.timeout)
            elif step.action in LOCKING and step.existed_before and not step.concurrently and len(timed) < 2:
                missing = [t for t in ("lock_timeout", "statement_timeout") if t not in timed]
                sets = " ".join(f"SET {t} = '{'2s' if t == 'lock_timeout' else '5min'}';" for t in missing)
                again = reprinted(step.statement, lambda node: None) if step.statement else None
                fix = f"{sets} {again};  -- the timeouts first in the migration" if again else None
                message = said(step, f"takes locks on an existing table without SET {' or '.join(missing)} first")
                yield self.finding(f"{migration.file}: {step.table or step.detail}", message, location(step.source), fix=fix)
                break
