"""Migration safety: each migration against the schema before it (squawk's territory, with the prior schema known).

A step on a table the same migration created is never reported: nobody reads or writes a
table that does not exist yet, so its locks cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from backend_architect.ir.model import Architecture, Migration, MigrationStep
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import ident, location, qualified_text, reprinted

_LOCKING = frozenset(
    {
        "create_index",
        "add_constraint",
        "add_column",
        "alter_column_type",
        "set_not_null",
        "drop_column",
        "drop_table",
        "rename_table",
        "rename_column",
        "drop_constraint",
    }
)


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
    Finds CREATE INDEX and DROP INDEX without CONCURRENTLY on tables that existed before the
    migration.

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
    for migration, step in _steps(arch, "create_index", "drop_index"):
        if not step.concurrently and (step.action == "drop_index" or step.table):
            verb = "CREATE INDEX" if step.action == "create_index" else "DROP INDEX"
            again = reprinted(step.statement, lambda node: setattr(node, "concurrent", True))
            message = f"{verb} {step.detail} without CONCURRENTLY blocks writes"
            yield self.finding(_where(migration, step), message, location(step.source), fix=f"{again};  -- outside a transaction" if again else None)


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
    Finds foreign key and check constraints added to existing tables without NOT VALID.

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
    for migration, step in _steps(arch, "add_constraint"):
        if step.constraint_kind in {"foreign key", "check"} and not step.not_valid:
            again = reprinted(step.statement, _not_valid)
            fix = f"{again}; ALTER TABLE {qualified_text(step.table or '')} VALIDATE CONSTRAINT {ident(step.detail)};" if again else None
            message = f"{step.constraint_kind} {step.detail} is validated while locking {step.table}"
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
    Finds ALTER COLUMN ... TYPE on tables that existed before the migration.

    ## Why is this bad?
    Most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock: no
    reads, no writes until done. Clients compiled against the old type break too.

    ## Example
    ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);

    Use instead:
    ALTER TABLE orders ADD COLUMN total_v2 numeric(14,2);
    """
    for migration, step in _steps(arch, "alter_column_type"):
        yield self.finding(_where(migration, step), f"changing {step.detail} rewrites {step.table} under an exclusive lock", location(step.source))


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
    Finds ADD COLUMN ... NOT NULL without a DEFAULT, and SET NOT NULL, on existing tables.

    ## Why is this bad?
    Adding a NOT NULL column without a default fails outright on a table with rows; SET NOT
    NULL scans the whole table under an ACCESS EXCLUSIVE lock.

    ## Example
    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

    Use instead:
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
    """
    for migration, step in _steps(arch, "add_column", "set_not_null"):
        if step.action == "set_not_null":
            check = ident(f"{step.table.rsplit('.', 1)[-1] if step.table else 't'}_{step.detail}_not_null"[:63])
            table, column = qualified_text(step.table or ""), ident(step.detail)
            fix = (
                f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID; "
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}; ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL; "
                f"ALTER TABLE {table} DROP CONSTRAINT {check};"
            )
            message = f"SET NOT NULL on {step.detail} scans {step.table} under an exclusive lock"
            yield self.finding(_where(migration, step), message, location(step.source), fix=fix)
        elif step.not_null and not step.has_default:
            yield self.finding(_where(migration, step), f"new column {step.detail} is NOT NULL without a default", location(step.source))


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
        yield self.finding(_where(migration, step), f"drops {what}", location(step.source))


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
        yield self.finding(_where(migration, step), f"renames {step.table} {step.detail}".replace(" to ", " to "), location(step.source))


@rule(
    code="SQL107",
    name="missing-lock-timeout",
    severity=Severity.INFO,
    title="Locking migration without a lock_timeout",
    fix="Begin the migration with SET lock_timeout = '2s' (and retry on timeout).",
)
def missing_lock_timeout(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds migrations that take locks on existing tables without first setting `lock_timeout`.

    ## Why is this bad?
    Waiting for its lock behind one long query, the migration queues every later query on the
    table behind itself: a 30-second report becomes a 30-second outage.

    ## Example
    ALTER TABLE orders ADD COLUMN note text;

    Use instead:
    SET lock_timeout = '2s';
    ALTER TABLE orders ADD COLUMN note text;

    ## References
    squawk's require-timeout-settings; "Zero-downtime Postgres migrations" (GoCardless).
    """
    for migration in arch.migrations:
        timed = False
        for step in migration.steps:
            if step.action == "set_timeout" and step.timeout == "lock_timeout":
                timed = True
            elif step.action in _LOCKING and step.existed_before and not step.concurrently and not timed:
                again = reprinted(step.statement, lambda node: None)
                fix = f"SET lock_timeout = '2s'; {again};  -- lock_timeout first in the migration" if again else None
                message = "takes locks on an existing table without SET lock_timeout first"
                yield self.finding(f"{migration.file}: {step.table}", message, location(step.source), fix=fix)
                break
